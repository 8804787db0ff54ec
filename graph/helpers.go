package graph

import (
	"context"
	"fmt"
	"sort"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/domain"
)

func (r *Resolver) rootPath(ctx context.Context, v *authz.Viewer) (string, error) {
	return authz.RootPath(ctx, r.Client, v.Tenant)
}

// changeRule adds or removes one rule and returns the tenant's policy after the change.
func (r *mutationResolver) changeRule(ctx context.Context, rule authz.Rule, add bool) ([]*model.PolicyRule, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	root, err := r.rootPath(ctx, v)
	if err != nil {
		return nil, err
	}
	rules, err := r.Policy.ChangeRule(ctx, root, rule, add)
	if err != nil {
		return nil, err
	}
	return toRules(rules), nil
}

func toRules(rules []authz.Rule) []*model.PolicyRule {
	out := make([]*model.PolicyRule, 0, len(rules))
	for _, r := range rules {
		role := domain.Role(r.Role)
		// Pseudo roles are exposed under the role names that hold them.
		switch r.Role {
		case authz.RoleUnitHead:
			out = append(out, &model.PolicyRule{Role: domain.RolePartySecretary, Object: r.Type, Action: r.Action},
				&model.PolicyRule{Role: domain.RoleGovernmentHead, Object: r.Type, Action: r.Action})
			continue
		case authz.RoleMember:
			continue
		}
		out = append(out, &model.PolicyRule{Role: role, Object: r.Type, Action: r.Action})
	}
	return out
}

// scopeSummary counts the units of the caller's jurisdiction by kind. The
// directory grant (every government unit is readable) is left out: the
// summary describes what the posts cover, not what is merely visible.
func (r *Resolver) scopeSummary(ctx context.Context, v *authz.Viewer) (*model.ScopeSummary, error) {
	jur := v.WithoutDirectory()
	var rows []struct {
		Kind  domain.UnitKind `json:"kind"`
		Count int             `json:"count"`
	}
	if err := r.Client.Unit.Query().GroupBy(unit.FieldKind).Aggregate(ent.Count()).
		Scan(authz.NewContext(ctx, jur), &rows); err != nil {
		return nil, fmt.Errorf("count units in scope: %w", err)
	}
	sum := &model.ScopeSummary{}
	for _, k := range domain.UnitKind("").Values() {
		for _, row := range rows {
			if string(row.Kind) == k {
				sum.UnitsByKind = append(sum.UnitsByKind, &model.KindCount{Kind: row.Kind, Count: row.Count})
			}
		}
	}
	unrestricted := false
	seen := map[domain.Sector]bool{}
	for _, g := range jur.Grants {
		if len(g.Sectors) == 0 {
			unrestricted = true
		}
		for _, s := range g.Sectors {
			if !seen[s] {
				seen[s] = true
				sum.Sectors = append(sum.Sectors, s)
			}
		}
	}
	if unrestricted || len(jur.Grants) == 0 {
		sum.Sectors = nil
	}
	for _, role := range v.Roles() {
		sum.Roles = append(sum.Roles, domain.Role(role))
	}
	if sum.Roles == nil {
		sum.Roles = []domain.Role{}
	}
	if sum.UnitsByKind == nil {
		sum.UnitsByKind = []*model.KindCount{}
	}
	return sum, nil
}

// auditChanges decodes an event's stored changes into the GraphQL list,
// sorted by field name.
func auditChanges(e *ent.AuditEvent) ([]*model.AuditChange, error) {
	ch, err := audit.DecodeChanges(e.Changes)
	if err != nil {
		return nil, fmt.Errorf("decode changes of audit event %d: %w", e.ID, err)
	}
	out := make([]*model.AuditChange, 0, len(ch))
	for name, c := range ch {
		ac := &model.AuditChange{Field: name, Redacted: c.Redacted}
		if !c.Redacted {
			ac.Before, ac.After = jsonText(c.Before), jsonText(c.After)
		}
		out = append(out, ac)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out, nil
}

// jsonText is the JSON text of a value, nil for JSON null (absent).
func jsonText(raw []byte) *string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	s := string(raw)
	return &s
}
