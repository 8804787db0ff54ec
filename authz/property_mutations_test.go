package authz_test

// The mutations the authority property runs, each with random inputs drawn
// from the generated world, through the same services the resolvers call.

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/org"
)

type mutationEnv struct {
	h    *authorityHarness
	w    *world
	ctx  context.Context
	root string
	now  time.Time
	// restoresDefault: the mutation added back a rule of the default policy.
	restoresDefault bool
}

func (e *mutationEnv) clock() time.Time { return e.now }

func (e *mutationEnv) org() *org.Service {
	return &org.Service{Client: e.h.client, Dialect: e.h.dialect, Now: e.clock}
}

func (e *mutationEnv) inspections() *inspections.Service {
	return &inspections.Service{Client: e.h.client, Now: e.clock}
}

// unit draws a unit of the world (its database id).
func (e *mutationEnv) unit(rt *rapid.T, label string) int {
	return e.w.units[rapid.IntRange(0, len(e.w.units)-1).Draw(rt, label)].id
}

func (e *mutationEnv) user(rt *rapid.T, label string) int {
	return e.w.users[rapid.IntRange(0, len(e.w.users)-1).Draw(rt, label)].id
}

func (e *mutationEnv) users(rt *rapid.T, label string) []int {
	var out []int
	for i, u := range e.w.users {
		if rapid.Bool().Draw(rt, fmt.Sprintf("%s%d", label, i)) {
			out = append(out, u.id)
		}
	}
	return out
}

func (e *mutationEnv) departments(rt *rapid.T, label string) []int {
	var out []int
	for i, u := range e.w.units {
		if u.kind == domain.KindDepartment && rapid.Bool().Draw(rt, fmt.Sprintf("%s%d", label, i)) {
			out = append(out, u.id)
		}
	}
	return out
}

var propCodes atomic.Int64

func freshCode() string { return fmt.Sprintf("P%d", propCodes.Add(1)) }

// propRunner runs one mutation with random inputs; nil means it succeeded.
type propRunner func(rt *rapid.T, e *mutationEnv) error

var authorityMutations = map[string]propRunner{
	"createUnit": func(rt *rapid.T, e *mutationEnv) error {
		kind := pick(rt, "kind", []domain.UnitKind{domain.KindTown, domain.KindDepartment, domain.KindWorkshop, domain.KindTeam})
		in := org.CreateUnitInput{Kind: kind, Name: "new", Code: freshCode(), ParentID: e.unit(rt, "parent")}
		if kind == domain.KindDepartment {
			in.SupervisedSectors = drawSectors(rt, "supervised")
		}
		_, err := e.org().CreateUnit(e.ctx, in)
		return err
	},
	"updateUnit": func(rt *rapid.T, e *mutationEnv) error {
		in := org.UpdateUnitInput{}
		switch rapid.IntRange(0, 2).Draw(rt, "change") {
		case 0:
			in.SupervisedSectors, in.SetSupervised = drawSectors(rt, "supervised"), true
		case 1:
			parent := e.unit(rt, "parent")
			in.ParentID = &parent
		default:
			name := "renamed"
			in.Name = &name
		}
		_, err := e.org().UpdateUnit(e.ctx, e.unit(rt, "unit"), in)
		return err
	},
	"createEnterprise": func(rt *rapid.T, e *mutationEnv) error {
		code := freshCode()
		credit, err := domain.CreditCodeWithCheck(fmt.Sprintf("91341199%09d", propCodes.Add(1)))
		if err != nil {
			return err
		}
		name, town, sector := "new enterprise", e.unit(rt, "town"), pick(rt, "sector", propSectors)
		in := org.EnterpriseInput{Name: &name, Code: &code, TownID: &town, CreditCode: &credit, Sector: &sector}
		if rapid.Bool().Draw(rt, "explicit") {
			in.DepartmentIDs, in.SetDepartments = e.departments(rt, "dept"), true
		}
		_, err = e.org().CreateEnterprise(e.ctx, in)
		return err
	},
	"updateEnterprise": func(rt *rapid.T, e *mutationEnv) error {
		ents, err := e.h.client.Enterprise.Query().Where(enterprise.TenantID(e.w.tenant)).IDs(authz.SystemContext(e.ctx))
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			return apperr.NotFoundf("no enterprise in this world")
		}
		in := org.EnterpriseInput{DepartmentIDs: e.departments(rt, "dept"), SetDepartments: true}
		_, err = e.org().UpdateEnterprise(e.ctx, pick(rt, "enterprise", ents), in)
		return err
	},
	"createUser": func(rt *rapid.T, e *mutationEnv) error {
		_, err := e.org().CreateUser(e.ctx, org.CreateUserInput{Username: "u" + freshCode()[1:] + "x", DisplayName: "new",
			Password: "property-password-1", UnitID: e.unit(rt, "home")})
		return err
	},
	"updateUser": func(rt *rapid.T, e *mutationEnv) error {
		in := org.UpdateUserInput{}
		switch rapid.IntRange(0, 2).Draw(rt, "change") {
		case 0:
			pw := "property-password-2"
			in.Password = &pw
		case 1:
			st := user.StatusDISABLED
			in.Status = &st
		default:
			home := e.unit(rt, "home")
			in.UnitID = &home
		}
		_, err := e.org().UpdateUser(e.ctx, e.user(rt, "user"), in)
		return err
	},
	"createPost": func(rt *rapid.T, e *mutationEnv) error {
		in := org.PostInput{UserID: e.user(rt, "holder"), UnitID: e.unit(rt, "unit"), Role: pick(rt, "role", propRoles)}
		if rapid.Bool().Draw(rt, "restricted") {
			in.Sectors = drawSectors(rt, "sectors")
		}
		_, err := e.org().CreatePost(e.ctx, in)
		return err
	},
	"updatePost": func(rt *rapid.T, e *mutationEnv) error {
		if len(e.w.posts) == 0 {
			return fmt.Errorf("no post")
		}
		p := pick(rt, "post", e.w.posts)
		in := org.PostInput{ClearValidTo: rapid.Bool().Draw(rt, "open")}
		if rapid.Bool().Draw(rt, "setSectors") {
			in.Sectors, in.SetSectors = drawSectors(rt, "sectors"), true
		}
		_, err := e.org().UpdatePost(e.ctx, p.id, in)
		return err
	},
	"endPost": func(rt *rapid.T, e *mutationEnv) error {
		if len(e.w.posts) == 0 {
			return fmt.Errorf("no post")
		}
		_, err := e.org().EndPost(e.ctx, pick(rt, "post", e.w.posts).id)
		return err
	},
	"addPolicyRule":    func(rt *rapid.T, e *mutationEnv) error { return changeRule(rt, e, true) },
	"removePolicyRule": func(rt *rapid.T, e *mutationEnv) error { return changeRule(rt, e, false) },
	"recordInspection": func(rt *rapid.T, e *mutationEnv) error {
		typ := pick(rt, "type", []inspection.Type{inspection.TypeSELF_CHECK, inspection.TypeDOUBLE_RANDOM, inspection.TypeSPECIAL})
		insp, target := e.unit(rt, "inspecting"), e.unit(rt, "target")
		_, err := e.inspections().RecordInspection(e.ctx, inspections.InspectionInput{Type: &typ, InspectingUnitID: &insp,
			TargetID: &target, InspectorIDs: e.users(rt, "inspector"), InspectedOn: e.now.Add(-time.Hour)})
		return err
	},
	"createRandomDraw": func(rt *rapid.T, e *mutationEnv) error {
		_, err := e.inspections().CreateRandomDraw(e.ctx, inspections.DrawInput{OrganiserID: e.unit(rt, "organiser"),
			TargetCount: 1, InspectorIDs: e.users(rt, "inspector"), InspectionDate: e.now})
		return err
	},
	"reportHazard": func(rt *rapid.T, e *mutationEnv) error {
		svc := &hazards.Service{Client: e.h.client, Now: e.clock}
		_, err := svc.ReportHazard(e.ctx, hazards.NewHazard{SubjectID: e.unit(rt, "subject"),
			Source: pick(rt, "source", []domain.HazardSource{domain.SourceSelfCheck, domain.SourceReport}),
			Level:  domain.LevelGeneral, Category: "fire", Description: "found", Deadline: e.now.Add(30 * 24 * time.Hour)})
		return err
	},
}

func changeRule(rt *rapid.T, e *mutationEnv, add bool) error {
	r := authz.Rule{Role: string(pick(rt, "role", propRoles)), Type: pick(rt, "type", authz.ObjectTypes), Action: pick(rt, "action", authz.Actions)}
	_, err := e.h.store.ChangeRule(e.ctx, e.root, r, add)
	// Restoring a default rule may give back what the editor removed.
	e.restoresDefault = add && err == nil && (authz.IsDefaultRule(r) || authz.IsHeadRole(r.Role) && authz.IsDefaultRule(authz.Rule{Role: authz.RoleUnitHead, Type: r.Type, Action: r.Action}))
	return err
}
