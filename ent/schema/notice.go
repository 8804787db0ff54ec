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

// Notice is a document (文件、通知、工作要点、方案) a government unit issues to
// units below it. Its subject is the issuing unit: the issuer side reads
// it; each recipient reads it through its own receipt (NoticeReceipt).
// Written only by internal/notices; see docs/DOMAIN.md.
type Notice struct{ ent.Schema }

// Mixin of the Notice: scoped by the issuing unit, which is its issuer side
// too (the receipts carry the same issuer path).
func (Notice) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "notice", Subject: "issuer_unit_id", Issuer: "issuer_unit_id"}}
}

// Fields of the Notice.
func (Notice) Fields() []ent.Field {
	return []ent.Field{
		field.Int("issuer_unit_id").Immutable().Comment("The issuing unit."),
		field.String("document_number").NotEmpty().MaxLen(100).Immutable().
			Comment("The document number (文号), e.g. 安委办〔2022〕3号: unique within the issuing unit.").
			Annotations(entgql.OrderField("DOCUMENT_NUMBER")),
		field.Enum("kind").GoType(domain.NoticeKind("")).Immutable().Comment("What the document is.").
			Annotations(entgql.Type("NoticeKind")),
		field.String("title").NotEmpty().MaxLen(200).Immutable().Comment("The title of the document.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("body").Default("").MaxLen(20000).Immutable().Comment("The text of the document (the scanned copy is an attachment).").
			Annotations(skipWhere),
		field.Int("year").Immutable().Range(2000, 2100).
			Comment("The year of issuedOn.").
			Annotations(entgql.OrderField("YEAR")),
		field.Time("issued_on").Immutable().Comment("The date of the document.").
			Annotations(entgql.OrderField("ISSUED_ON")),
		field.Time("receipt_due").Immutable().
			Comment("Recipients sign for the notice by this time; later it is overdue.").
			Annotations(entgql.OrderField("RECEIPT_DUE")),
		field.Time("reply_due").Optional().Nillable().Immutable().
			Comment("Set when the notice asks for a reply (反馈): recipients reply by this time."),
		// Stored for all receipts. A caller is told the receipts it reads
		// (recipientCount, schema/notices.graphql), so no filter carries
		// the stored count.
		field.Int("recipient_count").Immutable().
			Comment("How many units the notice was sent to (all of them).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Notice.
func (Notice) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("issuer", Unit.Type).Unique().Required().Immutable().Field("issuer_unit_id").
			Comment("The unit that issued the notice.").Annotations(skipWhere),
		edge.To("receipts", NoticeReceipt.Type).
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Notice: one document number per issuing unit.
func (Notice) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("issuer_unit_id", "document_number").Unique(),
		index.Fields("tenant_id", "issued_on"),
	}
}

// Annotations of the Notice: a root connection with where and orderBy.
func (Notice) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A document (通知, 工作要点, 方案) a unit issues to units below it or to the enterprises it supervises, each of which signs for it (签收)."), entgql.QueryField(), entgql.RelayConnection()}
}

// NoticeReceipt is one recipient of a notice and its receipt (签收): who
// signed for it in which post and when, and its optional reply (反馈). Its
// subject is the recipient unit, its issuer side the notice's issuer: both
// read it. A recipient reads the notice itself through its receipt.
type NoticeReceipt struct{ ent.Schema }

// Mixin of the NoticeReceipt: scoped by the recipient, readable from the
// issuer side; written as the act the notices service names.
func (NoticeReceipt) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "notice", Subject: "recipient_unit_id", Issuer: "issuer_unit_id"}}
}

// Fields of the NoticeReceipt.
func (NoticeReceipt) Fields() []ent.Field {
	return []ent.Field{
		field.Int("notice_id").Immutable().Comment("The notice."),
		field.Int("issuer_unit_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("recipient_unit_id").Immutable().Comment("The recipient unit."),
		field.String("recipient_name").MaxLen(1000).Immutable().
			Comment("The recipient's name when the notice was sent.").
			Annotations(entgql.OrderField("RECIPIENT_NAME")),
		field.Enum("recipient_kind").GoType(domain.UnitKind("")).Immutable().Comment("The recipient's kind of unit.").
			Annotations(entgql.Type("UnitKind")),
		field.Int("town_id").Optional().Nillable().Immutable().
			Comment("The town the recipient belongs to (itself for a town); null for departments and the county.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("due_at").Immutable().
			Comment("The notice's receipt due date.").
			Annotations(entgql.OrderField("DUE_AT")),
		field.Time("received_at").Optional().Nillable().Comment("When the recipient signed for the notice (签收); null while not.").
			Annotations(entgql.OrderField("RECEIVED_AT")),
		field.String("receiver_name").Optional().Nillable().MaxLen(400).
			Comment("Who signed for the notice, at signing time."),
		field.String("receiver_title").Optional().Nillable().MaxLen(400).
			Comment("The title of the post signed in."),
		// Plain ids rather than edges: a receipt is a historical record.
		// Null for receipts transcribed from paper.
		field.Int("receiver_user_id").Optional().Nillable().Comment("The user who signed for it; null when transcribed from paper.").
			Annotations(entgql.Type("ID"), skipWhere),
		field.Int("receiver_post_id").Optional().Nillable().Comment("The post signed in; null when transcribed from paper.").
			Annotations(entgql.Type("ID"), skipWhere),
		field.String("reply").Optional().Nillable().MaxLen(2000).Comment("The recipient's reply (反馈), if any.").
			Annotations(skipWhere),
		field.Time("replied_at").Optional().Nillable().Comment("When the recipient replied.").
			Annotations(entgql.OrderField("REPLIED_AT")),
	}
}

// Edges of the NoticeReceipt. The notice and the recipient are exposed by
// hand-written fields (schema/notices.graphql): the recipient side reads
// the notice only through its receipt.
func (NoticeReceipt) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("notice", Notice.Type).Ref("receipts").Unique().Required().Immutable().Field("notice_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("recipient", Unit.Type).Unique().Required().Immutable().Field("recipient_unit_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the NoticeReceipt: one receipt per recipient and notice.
func (NoticeReceipt) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("notice_id", "recipient_unit_id").Unique(),
		index.Fields("recipient_unit_id"),
	}
}

// Annotations of the NoticeReceipt: a root connection (the recipients'
// inbox and the issuer's view) with where and orderBy.
func (NoticeReceipt) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One recipient unit of a notice and its receipt (签收): who signed for it, in which post and when, and the optional reply (反馈)."), entgql.QueryField(), entgql.RelayConnection()}
}
