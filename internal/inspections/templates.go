package inspections

import (
	"context"
	"fmt"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/checklisttemplate"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// CreateTemplate adds the next version of a sector's checklist template. The
// right is checklist:create at the tenant root (a tenant-level ADMIN).
func (s *Service) CreateTemplate(ctx context.Context, sector domain.Sector, name string, items []domain.ChecklistItem) (*ent.ChecklistTemplate, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	root, err := authz.RootPath(ctx, s.Client, v.Tenant)
	if err != nil {
		return nil, err
	}
	if err := authz.Check(ctx, authz.Object{Type: "checklist", Tenant: v.Tenant, Path: root}, "create"); err != nil {
		return nil, err
	}
	if !sector.Valid() {
		return nil, kernel.Invalidf("sector", "unknown sector %q", sector)
	}
	if strings.TrimSpace(name) == "" {
		return nil, kernel.Invalidf("name", "name must not be empty")
	}
	if len(items) == 0 {
		return nil, kernel.Invalidf("items", "a checklist needs at least one item")
	}
	seen := map[string]bool{}
	for i, it := range items {
		if strings.TrimSpace(it.Code) == "" || strings.TrimSpace(it.Text) == "" || strings.TrimSpace(it.LegalBasis) == "" {
			return nil, kernel.Invalidf(fmt.Sprintf("items[%d]", i), "every item needs a code, a text and a legal basis")
		}
		if seen[it.Code] {
			return nil, kernel.Invalidf(fmt.Sprintf("items[%d].code", i), "item code %q is used twice", it.Code)
		}
		seen[it.Code] = true
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.ChecklistTemplate, error) {
		return NextTemplate(authz.SystemContext(ctx), c, v.Tenant, sector, strings.TrimSpace(name), items)
	})
}

// NextTemplate inserts version max+1 of the sector's template; ctx must be
// the system's (the caller has decided).
func NextTemplate(ctx context.Context, c *ent.Client, tenant int, sector domain.Sector, name string, items []domain.ChecklistItem) (*ent.ChecklistTemplate, error) {
	last, err := c.ChecklistTemplate.Query().
		Where(checklisttemplate.TenantID(tenant), checklisttemplate.SectorEQ(sector)).
		Aggregate(ent.Max(checklisttemplate.FieldVersion)).Int(ctx)
	if err != nil {
		last = 0 // no row yet: MAX is NULL
	}
	return c.ChecklistTemplate.Create().SetTenantID(tenant).SetSector(sector).SetVersion(last + 1).
		SetName(name).SetItems(items).Save(ctx)
}
