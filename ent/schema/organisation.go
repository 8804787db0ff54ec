package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/internal/domain"
)

// LeadershipGroup is a leading group (领导小组 / 专班) of a unit: the county's
// industrial safety group led by the secretary with the county head as
// deputy leader, a bureau's 集中整治领导小组 led by its chief. Its members
// are named by post. Written only by internal/organisation.
type LeadershipGroup struct{ ent.Schema }

// Mixin of the LeadershipGroup: scoped by its unit.
func (LeadershipGroup) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "leadership_group", Subject: "unit_id"}}
}

// Fields of the LeadershipGroup.
func (LeadershipGroup) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The unit whose group it is."),
		field.String("name").NotEmpty().MaxLen(100).Comment("The group's name, e.g. 工业安全生产工作领导组.").
			Annotations(entgql.OrderField("NAME")),
		field.String("purpose").Default("").MaxLen(2000).Comment("What the group is for.").
			Annotations(skipWhere),
		field.String("established_by").Default("").MaxLen(100).
			Comment("The document that set the group up, e.g. 示安委〔2022〕1号."),
		field.Time("established_on").Comment("When the group was set up.").
			Annotations(entgql.OrderField("ESTABLISHED_ON")),
	}
}

// Edges of the LeadershipGroup.
func (LeadershipGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit whose group it is.").Annotations(skipWhere),
		edge.To("members", GroupMember.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the LeadershipGroup.
func (LeadershipGroup) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id")}
}

// Annotations of the LeadershipGroup: a root connection with where and orderBy.
func (LeadershipGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A leadership group (领导小组) of a unit: led by its heads (党政同责), members named by the posts they hold."), entgql.QueryField(), entgql.RelayConnection()}
}

// GroupMember is one member of a leadership group, named by the post they
// hold, with their role in the group and their title in it. It is part of
// its group (read as a "leadership_group", written only by its service) but
// scoped by the post it is held by: its scope columns are the post's (its
// unit's), so a member is read exactly by those who read the post, while
// the group is read by those who read its unit.
type GroupMember struct{ ent.Schema }

// Mixin of the GroupMember: part of its group, scoped by its post, written
// only by its service (organisation.Seat stamps the post's scope).
func (GroupMember) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "leadership_group"}}
}

// Fields of the GroupMember.
func (GroupMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("group_id").Immutable().Comment("The group."),
		field.Enum("role").GoType(domain.GroupRole("")).Immutable().Comment("The member's role in the group.").
			Annotations(entgql.Type("GroupRole")),
		field.Int("post_id").Immutable().Annotations(entgql.Type("ID")).Comment("The post the member holds the seat by."),
		field.Int("user_id").Immutable().Annotations(entgql.Type("ID")).Comment("The member."),
		field.String("member_name").MaxLen(400).Immutable().Comment("The member's name when appointed."),
		field.String("title").MaxLen(400).Immutable().Comment("The member's title when appointed (their post's), e.g. 县委书记."),
	}
}

// Edges of the GroupMember.
func (GroupMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", LeadershipGroup.Type).Ref("members").Unique().Required().Immutable().Field("group_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the GroupMember: a post holds one seat in a group.
func (GroupMember) Indexes() []ent.Index {
	return []ent.Index{index.Fields("group_id", "post_id").Unique()}
}

// Annotations of the GroupMember.
func (GroupMember) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One seat in a leadership group: the post it is held by, the role and the title in the group."), entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}

// Meeting is a meeting a unit holds (会议): a full session of the safety
// committee (安委会全体会议), a special meeting (专题会), a dispatch meeting
// (调度会), with the units attending, the agenda, whether safety was on it
// (逢会必讲) and its minutes and sign-in sheets as attachments.
type Meeting struct{ ent.Schema }

// Mixin of the Meeting: scoped by the organiser.
func (Meeting) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "meeting", Subject: "organiser_unit_id"}}
}

// Fields of the Meeting.
func (Meeting) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organiser_unit_id").Immutable().Comment("The unit that held the meeting."),
		field.Int("group_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The leadership group whose meeting it was, if any."),
		field.Enum("kind").GoType(domain.MeetingKind("")).Immutable().Comment("What kind of meeting.").
			Annotations(entgql.Type("MeetingKind")),
		field.String("title").NotEmpty().MaxLen(100).Immutable().Comment("The meeting's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.Time("held_on").Immutable().Comment("When it was held.").
			Annotations(entgql.OrderField("HELD_ON")),
		field.Text("agenda").Default("").MaxLen(2000).Immutable().Comment("The agenda.").Annotations(skipWhere),
		field.Bool("safety_on_agenda").Immutable().Comment("Whether work safety was on the agenda (逢会必讲)."),
		field.JSON("attending_unit_ids", []int{}).Immutable().Comment("The units that attended.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("attendee_count").NonNegative().Immutable().Comment("How many people attended."),
	}
}

// Edges of the Meeting.
func (Meeting) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organiser", Unit.Type).Unique().Required().Immutable().Field("organiser_unit_id").
			Comment("The unit that held the meeting.").Annotations(skipWhere),
	}
}

// Indexes of the Meeting.
func (Meeting) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organiser_unit_id", "held_on")}
}

// Annotations of the Meeting: a root connection with where and orderBy.
func (Meeting) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A meeting a unit held (会议) on work safety, with the units attending, the agenda, and its minutes and sign-in sheets as attachments."), entgql.QueryField(), entgql.RelayConnection()}
}
