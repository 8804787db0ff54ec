package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/dutychain/dutychain/authz"

	"github.com/dutychain/dutychain/internal/domain"
)

// skipWhere hides an edge or id field from the generated where inputs: ent
// builds has…With as an unscoped EXISTS (https://github.com/ent/ent/issues/4509).
var skipWhere = entgql.Skip(entgql.SkipWhereInput)

// ChecklistTemplate is a versioned checklist (检查表) for one sector. A new
// version is a new row; inspections keep the row they used.
type ChecklistTemplate struct{ ent.Schema }

// Mixin of the ChecklistTemplate.
func (ChecklistTemplate) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the ChecklistTemplate.
func (ChecklistTemplate) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("sector").Comment("The sector it is for.").GoType(domain.Sector("")).Immutable().
			Annotations(entgql.OrderField("SECTOR"), entgql.Type("Sector")),
		field.Int("version").Comment("Version number, from 1 per sector.").Immutable().Positive().
			Annotations(entgql.OrderField("VERSION")),
		field.String("name").Comment("Name of the checklist.").NotEmpty().MaxLen(200).Immutable(),
		field.JSON("items", []domain.ChecklistItem{}).Comment("The items to check, in order.").Immutable().
			Annotations(entgql.Type("[ChecklistItem!]"), skipWhere),
	}
}

// Indexes of the ChecklistTemplate.
func (ChecklistTemplate) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "sector", "version").Unique()}
}

// Annotations of the ChecklistTemplate.
func (ChecklistTemplate) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Checklist (检查表) for one sector, versioned; inspections keep the version they used."), entgql.QueryField(), entgql.RelayConnection()}
}

// Interceptors of the ChecklistTemplate: reference data of the whole tenant.
func (ChecklistTemplate) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{authz.TenantFilter("tenant_id")}
}

// Hooks of the ChecklistTemplate: written by the inspection service after
// its policy check; versions are never edited.
func (ChecklistTemplate) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }

// Campaign is a rectification campaign (专项整治) organised by a government
// unit for target sectors, run through four stages.
type Campaign struct{ ent.Schema }

// Mixin of the Campaign: scoped by its subject unit, with the write check.
func (Campaign) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "campaign", Subject: "organiser_id"}}
}

// Fields of the Campaign.
func (Campaign) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organiser_id").Immutable().Annotations(skipWhere),
		field.String("name").Comment("Name of the campaign.").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.JSON("sectors", []domain.Sector{}).Comment("The target sectors.").
			Annotations(entgql.Type("[Sector!]"), skipWhere),
		field.Enum("stage").Comment("The current stage.").GoType(domain.CampaignStageName("")).Default(string(domain.StageDeployment)).
			Annotations(entgql.Type("CampaignStageName")),
		field.Bool("finished").Comment("Set when the last stage has ended.").Default(false),
		field.JSON("stages", []domain.CampaignStage{}).Comment("Every stage with planned and actual dates.").
			Annotations(entgql.Type("[CampaignStage!]"), skipWhere),
	}
}

// Edges of the Campaign.
func (Campaign) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organiser", Unit.Type).Comment("The government unit that organises it.").Unique().Required().Immutable().Field("organiser_id").Annotations(skipWhere),
		edge.From("inspections", Inspection.Type).Comment("Inspections made within the campaign.").Ref("campaign").
			Annotations(entgql.RelayConnection()),
	}
}

// Annotations of the Campaign.
func (Campaign) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Rectification campaign (专项整治) organised by a government unit for some sectors, in four stages."), entgql.QueryField(), entgql.RelayConnection()}
}

// Inspection is one inspection (检查) of one target unit.
type Inspection struct{ ent.Schema }

// Mixin of the Inspection: scoped by its subject unit, with the write check.
func (Inspection) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "inspection", Subject: "target_id"}}
}

// Fields of the Inspection.
func (Inspection) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Comment("Kind of inspection.").Values("ROUTINE_QUARTERLY", "SPECIAL", "DOUBLE_RANDOM", "KEY_PERIOD", "FOLLOW_UP", "SELF_CHECK").
			Annotations(entgql.OrderField("TYPE")),
		field.Enum("key_period").Comment("The key period of a KEY_PERIOD inspection.").Values("NEW_YEAR", "SPRING_FESTIVAL", "TWO_SESSIONS", "MAY_DAY", "NATIONAL_DAY",
			"FLOOD_SEASON", "HIGH_TEMPERATURE", "WINTER_STORM").Optional().Nillable(),
		field.Enum("status").Values("PLANNED", "DONE").Default("DONE").
			Comment("PLANNED inspections come from a random draw and are recorded later."),
		field.Int("campaign_id").Optional().Nillable().Annotations(skipWhere),
		field.Int("random_draw_id").Optional().Nillable().Immutable().Annotations(skipWhere),
		field.Int("inspecting_unit_id").Annotations(skipWhere),
		field.Int("target_id").Immutable().Annotations(skipWhere),
		field.JSON("inspector_ids", []int{}).Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("inspected_on").Comment("Date of the inspection.").Annotations(entgql.OrderField("INSPECTED_ON")),
		field.Int("template_id").Optional().Nillable().Annotations(skipWhere),
		field.JSON("results", []domain.ItemResult{}).Comment("Result of each checklist item (PASS, FAIL, NA) with notes.").Optional().
			Annotations(entgql.Type("[ItemResult!]"), skipWhere),
		field.Text("conclusion").Comment("Overall conclusion.").Optional(),
	}
}

// Edges of the Inspection.
func (Inspection) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("campaign", Campaign.Type).Comment("The campaign it belongs to.").Unique().Field("campaign_id").Annotations(skipWhere),
		edge.To("random_draw", RandomDraw.Type).Comment("The random draw (双随机) that planned it.").Unique().Immutable().Field("random_draw_id").Annotations(skipWhere),
		edge.To("inspecting_unit", Unit.Type).Comment("The unit that inspects.").Unique().Required().Field("inspecting_unit_id").Annotations(skipWhere),
		edge.To("target", Unit.Type).Comment("The unit inspected.").Unique().Required().Immutable().Field("target_id").Annotations(skipWhere),
		edge.To("template", ChecklistTemplate.Type).Comment("The checklist version used.").Unique().Field("template_id").Annotations(skipWhere),
		edge.From("hazards", Hazard.Type).Comment("Hazards found by this inspection.").Ref("inspection").Annotations(skipWhere),
		edge.To("follow_ups", FollowUpCheck.Type).Comment("A FOLLOW_UP inspection's outcome per hazard it re-checked; those of hazards outside your jurisdiction are left out.").Annotations(skipWhere),
	}
}

// Indexes of the Inspection.
func (Inspection) Indexes() []ent.Index {
	return []ent.Index{index.Fields("campaign_id"), index.Fields("target_id", "inspected_on"),
		// The dashboard's days of a month its period cuts (see Hazard).
		index.Fields("tenant_id", "inspected_on")}
}

// Annotations of the Inspection.
func (Inspection) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Inspection (检查) of one target unit by an inspecting unit."), entgql.QueryField(), entgql.RelayConnection()}
}

// RandomDraw is a 双随机 draw: targets from a frozen enterprise roster and
// inspectors from a frozen inspector roster, reproducible from its seed.
type RandomDraw struct{ ent.Schema }

// Mixin of the RandomDraw: scoped by its organiser, with the write check.
func (RandomDraw) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "random_draw", Subject: "organiser_id"}}
}

// Fields of the RandomDraw. Every field is immutable: a draw is a record.
func (RandomDraw) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organiser_id").Immutable().Annotations(skipWhere),
		field.JSON("sectors", []domain.Sector{}).Comment("The sectors drawn from; empty for all.").Immutable().Optional().
			Annotations(entgql.Type("[Sector!]"), skipWhere),
		field.Int("exclude_inspected_days").Comment("Enterprises inspected within this many days were left out.").Immutable().Default(0),
		field.Int("target_count").Comment("How many targets were drawn.").Immutable().Positive(),
		field.Int("inspectors_per_target").Comment("How many inspectors were drawn per target.").Immutable().Default(2),
		field.Int64("seed").Immutable().Annotations(entgql.Skip(entgql.SkipWhereInput | entgql.SkipType)),
		field.JSON("enterprise_roster", []int{}).Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("inspector_roster", []int{}).Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("conflicts", []domain.DrawConflict{}).Immutable().Optional().Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("assignments", []domain.DrawAssignment{}).Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("drawn_at").Comment("When the draw was made.").Immutable().Annotations(entgql.OrderField("DRAWN_AT")),
	}
}

// Edges of the RandomDraw.
func (RandomDraw) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organiser", Unit.Type).Comment("The government unit that drew.").Unique().Required().Immutable().Field("organiser_id").Annotations(skipWhere),
		edge.From("inspections", Inspection.Type).Comment("The inspections planned by the draw.").Ref("random_draw").Annotations(skipWhere),
	}
}

// Annotations of the RandomDraw.
func (RandomDraw) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Random draw (双随机): random targets and random inspectors, stored so it can be reproduced."), entgql.QueryField(), entgql.RelayConnection()}
}

// Hooks of the RandomDraw: nothing may change a draw once created, not
// even the system.
func (RandomDraw) Hooks() []ent.Hook {
	return []ent.Hook{immutable("random draw")}
}

func immutable(what string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return nil, fmt.Errorf("a %s is immutable", what)
			}
			return next.Mutate(ctx, m)
		})
	}
}
