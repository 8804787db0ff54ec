package authz_test

// Random arguments for every mutation of the schema, biased to the viewer's
// territory: ids are drawn mostly from what the viewer reads (objects of
// the world and those earlier steps created), sometimes from the rest of
// the tenant; enums from their values; strings short and valid for the
// field's name.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/campaign"
	"github.com/dutychain/dutychain/ent/checklisttemplate"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/randomdraw"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/domain"
)

// idKinds are the kinds of object an ID argument names.
const (
	kUnit       = "unit"
	kGov        = "government"
	kTown       = "town"
	kDepartment = "department"
	kEnterprise = "enterprise"
	kUser       = "user"
	kPost       = "post"
	kLetter     = "letter"
	kHazard     = "hazard"
	kCampaign   = "campaign"
	kInspection = "inspection"
	kTemplate   = "template"
	kDraw       = "draw"
)

// idPool holds, per kind, the ids the viewer reads and every id of the
// tenant.
type idPool struct {
	readable, all map[string][]int
}

// loadPool lists the tenant's objects as the system and as the viewer.
func loadPool(ctx, vctx context.Context, c *ent.Client, tenant int) (idPool, error) {
	p := idPool{readable: map[string][]int{}, all: map[string][]int{}}
	queries := map[string]func(context.Context) ([]int, error){
		kUnit: func(ctx context.Context) ([]int, error) { return c.Unit.Query().Where(unit.TenantID(tenant)).IDs(ctx) },
		kGov: func(ctx context.Context) ([]int, error) {
			return c.Unit.Query().Where(unit.TenantID(tenant), unit.KindIn(domain.KindCounty, domain.KindTown, domain.KindDepartment)).IDs(ctx)
		},
		kTown: func(ctx context.Context) ([]int, error) {
			return c.Unit.Query().Where(unit.TenantID(tenant), unit.KindEQ(domain.KindTown)).IDs(ctx)
		},
		kDepartment: func(ctx context.Context) ([]int, error) {
			return c.Unit.Query().Where(unit.TenantID(tenant), unit.KindEQ(domain.KindDepartment)).IDs(ctx)
		},
		kEnterprise: func(ctx context.Context) ([]int, error) {
			return c.Enterprise.Query().Where(enterprise.TenantID(tenant)).IDs(ctx)
		},
		kUser: func(ctx context.Context) ([]int, error) { return c.User.Query().Where(user.TenantID(tenant)).IDs(ctx) },
		kPost: func(ctx context.Context) ([]int, error) { return c.Post.Query().Where(post.TenantID(tenant)).IDs(ctx) },
		kLetter: func(ctx context.Context) ([]int, error) {
			return c.ResponsibilityLetter.Query().Where(responsibilityletter.TenantID(tenant)).IDs(ctx)
		},
		kHazard: func(ctx context.Context) ([]int, error) {
			return c.Hazard.Query().Where(hazard.TenantID(tenant)).IDs(ctx)
		},
		kCampaign: func(ctx context.Context) ([]int, error) {
			return c.Campaign.Query().Where(campaign.TenantID(tenant)).IDs(ctx)
		},
		kInspection: func(ctx context.Context) ([]int, error) {
			return c.Inspection.Query().Where(inspection.TenantID(tenant)).IDs(ctx)
		},
		kTemplate: func(ctx context.Context) ([]int, error) {
			return c.ChecklistTemplate.Query().Where(checklisttemplate.TenantID(tenant)).IDs(ctx)
		},
		kDraw: func(ctx context.Context) ([]int, error) {
			return c.RandomDraw.Query().Where(randomdraw.TenantID(tenant)).IDs(ctx)
		},
	}
	for kind, q := range queries {
		all, err := q(ctx)
		if err != nil {
			return p, fmt.Errorf("list %s: %w", kind, err)
		}
		readable, err := q(vctx)
		if err != nil {
			return p, fmt.Errorf("list readable %s: %w", kind, err)
		}
		slices.Sort(all)
		slices.Sort(readable)
		p.all[kind], p.readable[kind] = all, readable
	}
	return p, nil
}

// idKind says which kind of object an ID field names, from the field's name
// and, for a bare "id", from the mutation's name (updateUnit → unit).
func idKind(mutation, field string) string {
	f := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(field, "IDs"), "ID"))
	if f == "id" || f == "" {
		f = strings.ToLower(mutation)
	}
	for _, k := range []struct{ part, kind string }{
		{"supervisingdepartment", kDepartment}, {"department", kDepartment}, {"town", kTown},
		{"organiser", kGov}, {"inspectingunit", kGov}, {"issuerunit", kGov},
		{"enterpriseunit", kUnit}, {"recurrenceof", kHazard}, {"planned", kInspection},
		{"inspector", kUser}, {"holder", kUser}, {"user", kUser}, {"post", kPost},
		{"letter", kLetter}, {"hazard", kHazard}, {"campaign", kCampaign}, {"template", kTemplate},
		{"draw", kDraw}, {"inspection", kInspection}, {"enterprise", kEnterprise},
	} {
		if strings.Contains(f, k.part) {
			return k.kind
		}
	}
	return kUnit // unitID, parentID, townID, organiserID, targetID, subjectID, issuerUnitID…
}

var propCodes atomic.Int64

func freshCode() string { return fmt.Sprintf("P%d", propCodes.Add(1)) }

// propPDF is a minimal PDF for Upload arguments.
var propPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// argGen draws argument values for one mutation.
type argGen struct {
	rt   *rapid.T
	pool idPool
	now  time.Time
	// tenant and usernames sign in (login): the world's users all have
	// propPassword.
	tenant    string
	usernames []string
}

func (g *argGen) id(owner, field string) (int, bool) {
	kind := idKind(owner, field)
	ids := g.pool.all[kind]
	// Three in four from the viewer's own territory.
	if r := g.pool.readable[kind]; len(r) > 0 && rapid.IntRange(0, 3).Draw(g.rt, field+".inScope") > 0 {
		ids = r
	}
	if len(ids) == 0 {
		// Nothing of that kind yet: a unit stands in (the mutation must
		// refuse an id of the wrong type).
		if ids = g.pool.readable[kUnit]; len(ids) == 0 {
			return 0, false
		}
	}
	return pick(g.rt, field, ids), true
}

func (g *argGen) enum(field string, values []string) string { return pick(g.rt, field, values) }

func (g *argGen) optional(field string) bool {
	return rapid.IntRange(0, 2).Draw(g.rt, field+".set") == 0
}

func (g *argGen) listLen(field string) int {
	if strings.HasSuffix(field, "inspectorIDs") {
		return rapid.IntRange(2, 3).Draw(g.rt, field+".len") // draws and inspections need two
	}
	return rapid.IntRange(0, 2).Draw(g.rt, field+".len")
}

func (g *argGen) scalar(owner, field, typ string) (any, bool) {
	f := strings.ToLower(field)
	switch typ {
	case "Boolean":
		return rapid.Bool().Draw(g.rt, field), true
	case "Int":
		switch {
		case f == "year":
			return 2024, true
		case strings.Contains(f, "inspectorsper"):
			return 2, true
		case strings.Contains(f, "count") && !strings.Contains(f, "employee"):
			return 1, true
		case strings.Contains(f, "days"):
			return rapid.IntRange(0, 30).Draw(g.rt, field), true
		}
		return rapid.IntRange(1, 3).Draw(g.rt, field), true
	case "Time":
		days := rapid.IntRange(-30, 60).Draw(g.rt, field)
		if strings.Contains(f, "deadline") || strings.Contains(f, "validto") {
			days = rapid.IntRange(1, 60).Draw(g.rt, field)
		}
		return g.now.AddDate(0, 0, days).Format(time.RFC3339), true
	case "Upload":
		return graphql.Upload{File: bytes.NewReader(propPDF), Filename: "scan.pdf", Size: int64(len(propPDF)), ContentType: "application/pdf"}, true
	case "String":
		return g.str(owner, f), true
	}
	return nil, false
}

// str is a short string valid for the field.
func (g *argGen) str(owner, f string) string {
	switch {
	case f == "newpassword":
		return propPassword + "-new"
	case strings.Contains(f, "password"):
		return propPassword
	case f == "username" && strings.Contains(strings.ToLower(owner), "login"):
		return pick(g.rt, f, g.usernames)
	case f == "username":
		return "u" + freshCode()[1:] + "x"
	case f == "creditcode":
		code, _ := domain.CreditCodeWithCheck(fmt.Sprintf("91341199%09d", propCodes.Add(1)))
		return code
	case f == "code":
		return freshCode()
	case f == "object" && strings.Contains(strings.ToLower(owner), "policy"):
		return pick(g.rt, f, authz.ObjectTypes)
	case f == "action" && strings.Contains(strings.ToLower(owner), "policy"):
		return pick(g.rt, f, authz.Actions)
	case strings.Contains(f, "phone"):
		return "0550-0000000"
	case f == "tenant":
		return g.tenant
	}
	return "x" + rapid.StringMatching(`[a-z]{0,6}`).Draw(g.rt, f)
}

// propPassword is every world user's password.
const propPassword = "property-password-1"

// propPasswordHash is its hash, computed once: argon2id is slow by design.
var propPasswordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(propPassword)
	if err != nil {
		panic(err)
	}
	return h
})
