package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/intercept"
	"github.com/dutychain/dutychain/ent/privacy"
)

// Notification is a reminder or an escalation (提醒、督办) addressed to one
// user: a record waiting on a post they hold, or overdue below it. The
// reminder jobs (internal/jobs) write it, once per object, kind, user and
// day; its recipient alone reads it and marks it read.
type Notification struct{ ent.Schema }

// Mixin of the Notification: time stamps and the tenant.
func (Notification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the Notification.
func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").Immutable().Comment("The recipient.").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").Values("LETTER_TO_SIGN", "HAZARD_OVERDUE", "ASSIGNMENT_FOLLOW_UP_DUE", "CERTIFICATE_EXPIRING", "NOTICE_NOT_RECEIVED").
			Immutable().Comment("What waits.").Annotations(entgql.Type("NotificationKind"), entgql.OrderField("KIND")),
		field.Int("object_id").Immutable().Comment("The global id of the record it is about.").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("unit_id").Immutable().Comment("The unit responsible for the record.").Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("why").Immutable().MaxLen(2000).Comment("Why it was sent, in one sentence."),
		field.Time("due_at").Immutable().Comment("When the record was or is due.").Annotations(entgql.OrderField("DUE_AT")),
		field.Bool("escalation").Immutable().Default(false).
			Comment("True when it escalates a record still overdue below the recipient's unit (督办), false for a reminder to the responsible post."),
		field.String("day").Immutable().MaxLen(10).Comment("The day (YYYY-MM-DD, UTC) it was sent for; one per object, kind and recipient a day.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("read_at").Optional().Nillable().Comment("When the recipient marked it read; null while unread."),
	}
}

// Indexes of the Notification: one per object, kind, recipient and day,
// whoever sends it and however often; a user's unread ones.
func (Notification) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "object_id", "kind", "day").Unique(),
		index.Fields("user_id", "read_at"),
	}
}

// Annotations of the Notification: a connection with where and orderBy,
// served on Query.notifications (schema/notifications.graphql).
func (Notification) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A reminder or an escalation (提醒、督办) sent to the viewer about a record that waits on them."),
		entgql.RelayConnection(),
	}
}

// Interceptors of the Notification: a user reads only their own, and of
// those only the ones whose record they read now (readableRecord); the
// system reads all.
func (Notification) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		v := authz.FromContext(ctx)
		switch {
		case v.IsSystem():
			return nil
		case v == nil || v.UserID == 0:
			return privacy.Denyf("notification: no viewer in context")
		}
		q.WhereP(ownRows(v), readableRecord(v))
		return nil
	})}
}

// NotifiedRecord is where the record of one kind of notification lives: the
// table whose row decides who may read it, that row's object type (the read
// filter it goes through) and the column holding the notification's
// object_id. Unit, when set, is the row's column that must equal the
// notification's unit_id: a notice is read by a recipient through its
// receipt at the recipient unit, so a NOTICE_NOT_RECEIVED notification is
// decided by the receipt of the unit it was sent about.
type NotifiedRecord struct {
	Kind, Type, Table, ObjectColumn, Unit string
}

// NotifiedRecords are the records of every kind of notification. The
// reminder scan (internal/notify.Plan) decides each recipient post with the
// same row and type, so a notification is planned for a post only when the
// post reads the row, and shown only while its recipient reads it.
var NotifiedRecords = []NotifiedRecord{
	{Kind: "LETTER_TO_SIGN", Type: "letter", Table: "responsibility_letters", ObjectColumn: "id"},
	{Kind: "HAZARD_OVERDUE", Type: "hazard", Table: "hazards", ObjectColumn: "id"},
	{Kind: "ASSIGNMENT_FOLLOW_UP_DUE", Type: "hazard_assignment", Table: "hazard_assignments", ObjectColumn: "id"},
	{Kind: "CERTIFICATE_EXPIRING", Type: "certificate", Table: "certificates", ObjectColumn: "id"},
	{Kind: "NOTICE_NOT_RECEIVED", Type: "notice", Table: "notice_receipts", ObjectColumn: "notice_id", Unit: "recipient_unit_id"},
}

// readableRecord is the predicate of the notifications whose record v reads
// now: per kind, the object id is among the rows of the record's table that
// v's read filter (authz.Viewer.Predicate, the SQL twin of the casbin
// decision) lets through. A post narrowed, moved or ended after a
// notification was made no longer sees it — in lists, totals and counts —
// and marking it read answers NOT_FOUND.
func readableRecord(v *authz.Viewer) func(*sql.Selector) {
	return func(s *sql.Selector) {
		ors := make([]*sql.Predicate, 0, len(NotifiedRecords))
		for i, r := range NotifiedRecords {
			t := sql.Table(r.Table).As(fmt.Sprintf("nr%d", i))
			sub := sql.Dialect(s.Dialect()).Select(t.C(r.ObjectColumn)).From(t)
			v.Predicate(r.Type, "read")(sub)
			if r.Unit != "" {
				sub.Where(sql.ColumnsEQ(t.C(r.Unit), s.C("unit_id")))
			}
			ors = append(ors, sql.And(sql.EQ(s.C("kind"), r.Kind), sql.In(s.C("object_id"), sub)))
		}
		s.Where(sql.Or(ors...))
	}
}

// Hooks of the Notification: the system creates them; a user may only mark
// their own read.
func (Notification) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v := authz.FromContext(ctx)
			if v.IsSystem() {
				return next.Mutate(ctx, m)
			}
			if v == nil || v.UserID == 0 || !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
				return nil, privacy.Denyf("notification: only the system writes notifications")
			}
			for _, f := range m.Fields() {
				if f != "read_at" && f != "updated_at" {
					return nil, privacy.Denyf("notification: a recipient changes only its read state")
				}
			}
			w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
			if !ok {
				return nil, privacy.Denyf("notification: unexpected mutation %T", m)
			}
			w.WhereP(ownRows(v))
			return next.Mutate(ctx, m)
		})
	}}
}

// ownRows is the predicate of the viewer's own notifications.
func ownRows(v *authz.Viewer) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.Where(sql.And(sql.EQ(s.C("user_id"), v.UserID), sql.EQ(s.C("tenant_id"), v.Tenant)))
	}
}
