// Package seed loads data into a database: the demo tenants 示范县 ("demo")
// and 邻县 ("neighbor") (docs/DOMAIN.md), built from the county's 2022 work summary.
package seed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/domain"
)

// Result reports what Demo did, one entry per demo tenant in creation order.
type Result struct {
	Tenants []TenantResult
}

// String summarises the result, one tenant per line.
func (r Result) String() string {
	var sb strings.Builder
	for i, t := range r.Tenants {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(t.String())
	}
	return sb.String()
}

// TenantResult is the outcome for one tenant.
type TenantResult struct {
	Code string
	Name string
	// ID is the tenant's id (created now or found).
	ID int
	// Created is true when Demo created the tenant, false when a tenant with
	// this code was already present (and was left untouched).
	Created bool
	// Counts are the tenant's rows after the run.
	Counts Counts
}

// Status is "created" or "already present".
func (t TenantResult) Status() string {
	if t.Created {
		return "created"
	}
	return "already present"
}

// String is e.g. "demo (示范县): created: units 100 (…), supervisions 48, …".
func (t TenantResult) String() string {
	return fmt.Sprintf("%s (%s): %s: %v", t.Code, t.Name, t.Status(), t.Counts)
}

// Counts are row counts of one tenant.
type Counts struct {
	Units        int
	Towns        int
	Departments  int
	Enterprises  int
	FuelStations int
	Workshops    int
	Teams        int
	Supervisions int
	Users        int
	Posts        int
	Letters      int
}

func (c Counts) String() string {
	return fmt.Sprintf("units %d (towns %d, departments %d, enterprises %d incl. fuel stations %d, workshops %d, teams %d), supervisions %d, users %d, posts %d, letters %d",
		c.Units, c.Towns, c.Departments, c.Enterprises, c.FuelStations, c.Workshops, c.Teams, c.Supervisions, c.Users, c.Posts, c.Letters)
}

// Built holds the ids of one seeded tenant by code, so that seed steps (and
// tests) can refer to what exists: later issues append letters, inspections
// and hazards as Steps that read these maps.
type Built struct {
	TenantID   int
	TenantCode string
	// Units maps unit code → unit id.
	Units map[string]int
	// Enterprises maps the ENTERPRISE unit's code → enterprise profile id.
	Enterprises map[string]int
	// Users maps username → user id.
	Users map[string]int
	// Posts maps username → the user's post ids, in creation order.
	Posts map[string][]int
}

// Unit returns the id of the unit with code, or an error naming it.
func (b *Built) Unit(code string) (int, error) {
	id, ok := b.Units[code]
	if !ok {
		return 0, fmt.Errorf("seed: tenant %s has no unit %q", b.TenantCode, code)
	}
	return id, nil
}

// User returns the id of the user with username, or an error naming it.
func (b *Built) User(username string) (int, error) {
	id, ok := b.Users[username]
	if !ok {
		return 0, fmt.Errorf("seed: tenant %s has no user %q", b.TenantCode, username)
	}
	return id, nil
}

// Step is one seed step run inside a tenant's creation transaction; c is the
// transaction's client and ctx carries the system viewer.
type Step func(ctx context.Context, c *ent.Client, b *Built) error

// ValidFrom is the start of every demo post (2022-01-01, UTC).
var ValidFrom = time.Date(validFromYear, time.January, 1, 0, 0, 0, 0, time.UTC)

// Demo loads the demo tenants. It is idempotent: a tenant whose code already
// exists is skipped entirely and reported "already present"; a missing one is
// created in a single transaction, so a failure leaves nothing behind.
func Demo(ctx context.Context, client *ent.Client) (Result, error) {
	return seedSpecs(ctx, client, specs())
}

// DemoCore is Demo with the records of the first schema versions only
// (structure, checklists, hazards, letters): migration tests seed it into a
// database migrated to an old version, whose tables later records lack.
func DemoCore(ctx context.Context, client *ent.Client) (Result, error) {
	return seedSpecs(ctx, client, coreSpecs())
}

func seedSpecs(ctx context.Context, client *ent.Client, specs []tenantSpec) (Result, error) {
	ctx = authz.SystemContext(ctx)
	var (
		res  Result
		hash string
	)
	for _, spec := range specs {
		tr, err := seedTenant(ctx, client, spec, &hash)
		if err != nil {
			return res, fmt.Errorf("seed tenant %q: %w", spec.code, err)
		}
		res.Tenants = append(res.Tenants, tr)
	}
	return res, nil
}

func seedTenant(ctx context.Context, client *ent.Client, spec tenantSpec, hash *string) (TenantResult, error) {
	tr := TenantResult{Code: spec.code, Name: spec.name}
	present := func() (bool, error) {
		t, err := client.Tenant.Query().Where(tenant.Code(spec.code)).Only(ctx)
		if ent.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("look up tenant: %w", err)
		}
		tr.ID, tr.Name = t.ID, t.Name
		tr.Counts, err = count(ctx, client, t.ID)
		return true, err
	}
	if ok, err := present(); ok || err != nil {
		return tr, err
	}
	if *hash == "" {
		h, err := auth.HashPassword(DemoPassword)
		if err != nil {
			return tr, fmt.Errorf("hash demo password: %w", err)
		}
		*hash = h
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return tr, fmt.Errorf("begin: %w", err)
	}
	b, err := build(ctx, tx.Client(), spec, *hash)
	if err == nil {
		tr.ID = b.TenantID
		tr.Counts, err = count(ctx, tx.Client(), b.TenantID)
	}
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		// Another process may have seeded the tenant meanwhile (the unique
		// tenant code stopped us): that is "already present", not a failure.
		if ok, perr := present(); ok && perr == nil {
			return tr, nil
		}
		return tr, err
	}
	if err := tx.Commit(); err != nil {
		if ok, perr := present(); ok && perr == nil {
			return tr, nil
		}
		return tr, fmt.Errorf("commit: %w", err)
	}
	tr.Created = true
	return tr, nil
}

// build creates one tenant from its spec through c (a transaction's client).
func build(ctx context.Context, c *ent.Client, spec tenantSpec, passwordHash string) (*Built, error) {
	t, err := c.Tenant.Create().SetCode(spec.code).SetName(spec.name).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create tenant: %w", err)
	}
	b := &Built{
		TenantID: t.ID, TenantCode: t.Code,
		Units: map[string]int{}, Enterprises: map[string]int{}, Users: map[string]int{}, Posts: map[string][]int{},
	}
	newUnit := func(kind domain.UnitKind, code, name, parent string, sector *domain.Sector) (*ent.UnitCreate, error) {
		if _, dup := b.Units[code]; dup {
			return nil, fmt.Errorf("unit code %q used twice", code)
		}
		q := c.Unit.Create().SetTenantID(t.ID).SetKind(kind).SetCode(code).SetName(name).SetNillableSector(sector)
		if parent != "" {
			pid, err := b.Unit(parent)
			if err != nil {
				return nil, fmt.Errorf("unit %s: parent: %w", code, err)
			}
			q.SetParentID(pid)
		}
		return q, nil
	}
	save := func(q *ent.UnitCreate, err error) error {
		if err != nil {
			return err
		}
		u, err := q.Save(ctx)
		if err != nil {
			code, _ := q.Mutation().Code()
			return fmt.Errorf("create unit %s: %w", code, err)
		}
		b.Units[u.Code] = u.ID
		return nil
	}

	// Government units: the county, its towns and departments.
	if err := save(newUnit(domain.KindCounty, spec.root.code, spec.root.name, "", nil)); err != nil {
		return nil, err
	}
	for _, town := range spec.towns {
		if err := save(newUnit(domain.KindTown, town.code, town.name, spec.root.code, nil)); err != nil {
			return nil, err
		}
	}
	for _, d := range spec.depts {
		q, err := newUnit(domain.KindDepartment, d.code, d.name, spec.root.code, nil)
		if err == nil {
			q.SetSupervisedSectors(append([]domain.Sector{}, d.sectors...))
		}
		if err := save(q, err); err != nil {
			return nil, err
		}
	}

	// Enterprises with their profiles, supervisions, workshops and teams.
	for i, e := range spec.ents {
		sector := e.sector
		if err := save(newUnit(domain.KindEnterprise, e.code, e.name, e.town, &sector)); err != nil {
			return nil, err
		}
		unitID, townID := b.Units[e.code], b.Units[e.town]
		code, err := creditCode(spec.region, i+1)
		if err != nil {
			return nil, fmt.Errorf("enterprise %s: %w", e.code, err)
		}
		p, err := c.Enterprise.Create().
			SetTenantID(t.ID).SetUnitID(unitID).SetTownID(townID).
			SetName(e.name).SetCreditCode(code).SetSector(e.sector).SetScale(e.scale).
			SetIndustryCategory(e.category).SetAddress(e.address).
			SetLegalRepresentative(e.legal).SetSafetyManager(e.safety).SetContactPhone(e.phone).
			SetEmployeeCount(e.employees).SetKeySites(e.keySites).
			Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("create enterprise %s: %w", e.code, err)
		}
		b.Enterprises[e.code] = p.ID
		for _, d := range spec.depts {
			if !slices.Contains(d.sectors, e.sector) {
				continue
			}
			if err := c.Supervision.Create().SetTenantID(t.ID).
				SetDepartmentID(b.Units[d.code]).SetEnterpriseID(unitID).
				SetSource(supervision.SourceDEFAULT).Exec(ctx); err != nil {
				return nil, fmt.Errorf("create supervision %s → %s: %w", d.code, e.code, err)
			}
		}
		for _, w := range e.workshops {
			if err := save(newUnit(domain.KindWorkshop, w.code, w.name, e.code, &sector)); err != nil {
				return nil, err
			}
			for _, team := range w.teams {
				if err := save(newUnit(domain.KindTeam, team.code, team.name, w.code, &sector)); err != nil {
					return nil, err
				}
			}
		}
	}

	// Users, each at home in the unit of their first post.
	for _, us := range spec.users {
		if len(us.posts) == 0 {
			return nil, fmt.Errorf("user %s has no post", us.username)
		}
		home, err := b.Unit(us.posts[0].unit)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", us.username, err)
		}
		u, err := c.User.Create().SetTenantID(t.ID).
			SetUsername(us.username).SetDisplayName(us.name).SetPhone(us.phone).
			SetPasswordHash(passwordHash).SetStatus(user.StatusACTIVE).SetUnitID(home).
			Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("create user %s: %w", us.username, err)
		}
		b.Users[us.username] = u.ID
		for _, ps := range us.posts {
			unitID, err := b.Unit(ps.unit)
			if err != nil {
				return nil, fmt.Errorf("post of %s: %w", us.username, err)
			}
			q := c.Post.Create().SetTenantID(t.ID).SetUserID(u.ID).SetUnitID(unitID).
				SetRole(ps.role).SetTitle(ps.title).SetValidFrom(ValidFrom)
			if len(ps.sectors) > 0 {
				q.SetSectors(ps.sectors)
			}
			p, err := q.Save(ctx)
			if err != nil {
				return nil, fmt.Errorf("create post %s %s@%s: %w", us.username, ps.role, ps.unit, err)
			}
			b.Posts[us.username] = append(b.Posts[us.username], p.ID)
		}
	}

	for _, step := range spec.after {
		if err := step(ctx, c, b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// count returns the row counts of tenant id.
func count(ctx context.Context, c *ent.Client, id int) (Counts, error) {
	var (
		n   Counts
		err error
	)
	kind := func(k domain.UnitKind) int {
		if err != nil {
			return 0
		}
		var v int
		v, err = c.Unit.Query().Where(unit.TenantID(id), unit.KindEQ(k)).Count(ctx)
		return v
	}
	n.Towns = kind(domain.KindTown)
	n.Departments = kind(domain.KindDepartment)
	n.Workshops = kind(domain.KindWorkshop)
	n.Teams = kind(domain.KindTeam)
	if err != nil {
		return n, fmt.Errorf("count units: %w", err)
	}
	counts := []struct {
		dst *int
		q   func() (int, error)
	}{
		{&n.Units, func() (int, error) { return c.Unit.Query().Where(unit.TenantID(id)).Count(ctx) }},
		{&n.Enterprises, func() (int, error) { return c.Enterprise.Query().Where(enterprise.TenantID(id)).Count(ctx) }},
		{&n.FuelStations, func() (int, error) {
			return c.Enterprise.Query().Where(enterprise.TenantID(id), enterprise.SectorEQ(domain.SectorFuel)).Count(ctx)
		}},
		{&n.Supervisions, func() (int, error) { return c.Supervision.Query().Where(supervision.TenantID(id)).Count(ctx) }},
		{&n.Users, func() (int, error) { return c.User.Query().Where(user.TenantID(id)).Count(ctx) }},
		{&n.Posts, func() (int, error) { return c.Post.Query().Where(post.TenantID(id)).Count(ctx) }},
		{&n.Letters, func() (int, error) {
			return c.ResponsibilityLetter.Query().Where(responsibilityletter.TenantID(id)).Count(ctx)
		}},
	}
	for _, x := range counts {
		if *x.dst, err = x.q(); err != nil {
			return n, fmt.Errorf("count: %w", err)
		}
	}
	return n, nil
}

// Load reads back the ids of a seeded tenant by code (for tests and for
// steps run after the tenant exists). It runs as the system.
func Load(ctx context.Context, client *ent.Client, tenantCode string) (*Built, error) {
	ctx = authz.SystemContext(ctx)
	t, err := client.Tenant.Query().Where(tenant.Code(tenantCode)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenantCode, err)
	}
	b := &Built{
		TenantID: t.ID, TenantCode: t.Code,
		Units: map[string]int{}, Enterprises: map[string]int{}, Users: map[string]int{}, Posts: map[string][]int{},
	}
	units, err := client.Unit.Query().Where(unit.TenantID(t.ID)).Select(unit.FieldID, unit.FieldCode).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	codeOf := make(map[int]string, len(units))
	for _, u := range units {
		b.Units[u.Code] = u.ID
		codeOf[u.ID] = u.Code
	}
	ents, err := client.Enterprise.Query().Where(enterprise.TenantID(t.ID)).
		Select(enterprise.FieldID, enterprise.FieldUnitID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load enterprises: %w", err)
	}
	for _, e := range ents {
		b.Enterprises[codeOf[e.UnitID]] = e.ID
	}
	users, err := client.User.Query().Where(user.TenantID(t.ID)).Select(user.FieldID, user.FieldUsername).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	nameOf := make(map[int]string, len(users))
	for _, u := range users {
		b.Users[u.Username] = u.ID
		nameOf[u.ID] = u.Username
	}
	posts, err := client.Post.Query().Where(post.TenantID(t.ID)).
		Select(post.FieldID, post.FieldUserID).Order(ent.Asc(post.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	for _, p := range posts {
		name := nameOf[p.UserID]
		b.Posts[name] = append(b.Posts[name], p.ID)
	}
	return b, nil
}

// creditCode is the deterministic unified social credit code of the n-th
// enterprise of a tenant: 9 (工商) 1 (企业), the division, a 9-character
// organisation code with its GB 11714 check, and the GB 32100 check.
func creditCode(region string, n int) (string, error) {
	org := domain.OrgCodeWithCheck(fmt.Sprintf("MA2%05d", 10000+(n*7919)%90000))
	code, err := domain.CreditCodeWithCheck("91" + region + org)
	if err != nil {
		return "", err
	}
	return code, domain.ValidCreditCode(code)
}

// ---------------------------------------------------------------------------
// Descriptions of the demo data, for tests, the README and the CLI.

// UnitInfo describes one demo unit.
type UnitInfo struct {
	Code, Name string
	Kind       domain.UnitKind
	// Parent is the parent's code; empty for the root.
	Parent string
	// Sector is set for enterprise-side units.
	Sector domain.Sector
	// SupervisedSectors is set for departments.
	SupervisedSectors []domain.Sector
}

// Units lists the units the seed creates in tenant tenantCode ("demo" or
// "neighbor"), parents before children; nil for another code.
func Units(tenantCode string) []UnitInfo {
	for _, s := range specs() {
		if s.code != tenantCode {
			continue
		}
		out := []UnitInfo{{Code: s.root.code, Name: s.root.name, Kind: domain.KindCounty}}
		for _, t := range s.towns {
			out = append(out, UnitInfo{Code: t.code, Name: t.name, Kind: domain.KindTown, Parent: s.root.code})
		}
		for _, d := range s.depts {
			out = append(out, UnitInfo{Code: d.code, Name: d.name, Kind: domain.KindDepartment, Parent: s.root.code,
				SupervisedSectors: append([]domain.Sector{}, d.sectors...)})
		}
		for _, e := range s.ents {
			out = append(out, UnitInfo{Code: e.code, Name: e.name, Kind: domain.KindEnterprise, Parent: e.town, Sector: e.sector})
			for _, w := range e.workshops {
				out = append(out, UnitInfo{Code: w.code, Name: w.name, Kind: domain.KindWorkshop, Parent: e.code, Sector: e.sector})
				for _, t := range w.teams {
					out = append(out, UnitInfo{Code: t.code, Name: t.name, Kind: domain.KindTeam, Parent: w.code, Sector: e.sector})
				}
			}
		}
		return out
	}
	return nil
}

// UserInfo describes one demo user; every one has the password DemoPassword.
type UserInfo struct {
	Tenant      string
	Username    string
	DisplayName string
	Phone       string
	Posts       []PostInfo
}

// PostInfo describes one demo post (valid from ValidFrom, open-ended).
type PostInfo struct {
	UnitCode string
	UnitName string
	Role     domain.Role
	Sectors  []domain.Sector
	Title    string
}

// Users lists every demo user of both tenants, in creation order.
func Users() []UserInfo {
	var out []UserInfo
	for _, s := range specs() {
		names := map[string]string{}
		for _, u := range Units(s.code) {
			names[u.Code] = u.Name
		}
		for _, us := range s.users {
			ui := UserInfo{Tenant: s.code, Username: us.username, DisplayName: us.name, Phone: us.phone}
			for _, p := range us.posts {
				ui.Posts = append(ui.Posts, PostInfo{UnitCode: p.unit, UnitName: names[p.unit], Role: p.role,
					Sectors: append([]domain.Sector(nil), p.sectors...), Title: p.title})
			}
			out = append(out, ui)
		}
	}
	return out
}

// Usernames lists the usernames of tenant tenantCode in creation order.
func Usernames(tenantCode string) []string {
	var out []string
	for _, u := range Users() {
		if u.Tenant == tenantCode {
			out = append(out, u.Username)
		}
	}
	return out
}
