package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/internal/domain"
)

// ImportJob is one directory import started through GraphQL
// (internal/imports): the uploaded workbook, whether it is a dry run, its
// state and progress, and every problem found. A confirm is a second job
// made from a clean dry run, naming it. The service writes it as the
// system, stamped with the scope of the post it was started under (the
// unit's path, and the sector key of the post's sectors, all of them for a
// post without), so that it is read only by the posts that read everything
// it may write (docs/AUTHZ.md#import-jobs).
type ImportJob struct{ ent.Schema }

// Mixin of the ImportJob: time stamps, the tenant and the scope of the post
// it was started under; system-written (no subject field).
func (ImportJob) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "import_job"}}
}

// Fields of the ImportJob.
func (ImportJob) Fields() []ent.Field {
	return []ent.Field{
		field.Int("created_by_user_id").Immutable().Comment("ID of the user who started the job; the import runs as them.").
			Annotations(entgql.Type("ID")),
		field.String("created_by_name").MaxLen(400).Immutable().Comment("The name of the user who started the job, at the time."),
		field.Int("unit_id").Immutable().Comment("ID of the unit of the post the job was started under: the job is read by the posts whose territory holds it, within the sectors of that post.").
			Annotations(entgql.Type("ID")),
		field.String("file_name").MaxLen(255).Immutable().Comment("The workbook's file name as uploaded."),
		field.Bytes("content").Optional().Sensitive().
			Comment("The workbook, kept so that a clean dry run is confirmed without a new upload; null once cleared (workbook_cleared_at).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("dry_run").Immutable().Comment("True when the job only checks the workbook and writes nothing."),
		field.Enum("state").Values("QUEUED", "RUNNING", "SUCCEEDED", "FAILED").Default("QUEUED").
			Comment("QUEUED, RUNNING, then SUCCEEDED (written, or on a dry run: clean) or FAILED (problems found, nothing written).").
			Annotations(entgql.Type("ImportJobState")),
		field.Int("rows_total").NonNegative().Default(0).Comment("The data rows of the workbook (all sheets), once read."),
		field.Int("rows_done").NonNegative().Default(0).Comment("The data rows tried so far."),
		field.Int("enterprises").NonNegative().Default(0).Comment("The enterprises created (on a dry run: that would be)."),
		field.Int("users").NonNegative().Default(0).Comment("The users created (on a dry run: that would be)."),
		field.Int("posts").NonNegative().Default(0).Comment("The posts created (on a dry run: that would be)."),
		field.JSON("problems", []domain.ImportProblem{}).Optional().
			Comment("Every problem found, by sheet, row and column.").Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("users_without_password", []string{}).Optional().
			Comment("The usernames imported without a password: an administrator resets theirs before they sign in.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("finished_at").Optional().Nillable().Comment("When the job ended; null while queued or running."),
		field.Int("dry_run_job_id").Optional().Nillable().Immutable().
			Comment("ID of the dry run this job confirms; null for a job started with a file.").
			Annotations(entgql.Type("ID")),
		field.Time("confirmed_at").Optional().Nillable().
			Comment("When this dry run was confirmed; null until then. A dry run is confirmed once."),
		field.Time("workbook_cleared_at").Optional().Nillable().
			Comment("When the stored workbook was cleared, a while after the job ended (DUTYCHAIN_IMPORT_RETENTION); null while it is kept. The summary and problems stay; a dry run whose workbook was cleared can no longer be confirmed."),
	}
}

// Indexes of the ImportJob: one confirm per dry run.
func (ImportJob) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("dry_run_job_id").Unique(),
	}
}

// Annotations of the ImportJob.
func (ImportJob) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An import job (导入任务): a workbook checked (dry run) or imported in the background, with its progress and every problem."),
		entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField | entgql.SkipMutationCreateInput | entgql.SkipMutationUpdateInput),
	}
}
