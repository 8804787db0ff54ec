package authz

import (
	"fmt"
	"slices"

	"github.com/dutychain/dutychain/internal/audit"
)

// Placement says where a record's rows sit in a tenant, which decides how
// reads are filtered and where their audit events are scoped.
type Placement int

const (
	// Scoped rows carry the scope columns (the ScopeMixin of ent/schema):
	// reads go through the jurisdiction filter and re-parenting rewrites
	// the columns.
	Scoped Placement = iota
	// TenantWide rows belong to the tenant as a whole (tenant_id only):
	// reads are limited to the tenant, events are scoped to its root.
	TenantWide
	// Internal rows are bookkeeping that only the system reads and writes.
	Internal
)

// Record is one entry of the registry: a kind of record authorization
// knows, as policy rows name it, with the tables holding its rows.
type Record struct {
	// Type is the casbin object type policy rows name; empty for tables
	// that no policy row names (decided by their owner's checks).
	Type string
	// Since is the default-policy version (DefaultsVersion) whose rules
	// first named Type: EnsureTenant adds them to older tenants.
	Since int
	// Actions are the actions policy rows may grant on Type.
	Actions []string
	// Placement of every table of the record.
	Placement Placement
	// IssuerSide: the rows also carry the issuer unit's path
	// (ColIssuerPath) and are readable from the issuer's territory too.
	IssuerSide bool
	// Historical: re-parenting leaves the scope columns alone, so a row
	// stays scoped where its subject was when it was written.
	Historical bool
	// Protected: a wildcard ("*") rule does not cover Type; only a rule
	// naming it grants anything on it.
	Protected bool
	// Tables holds the record's rows: the record itself and its parts
	// (events, signatures) that read as it.
	Tables []Table
}

// Table is one table of the schema in the registry.
type Table struct {
	// Entity is the ent schema type (HazardEvent); Name is its SQL table
	// (hazard_events), as ent names it.
	Entity, Name string
	// AuditSubject names, for a table without scope columns, the unit
	// field its audit events are scoped to.
	AuditSubject string
	// NotAudited gives the reason the table's writes are not audit events
	// (empty: every write of the table is one).
	NotAudited string
}

var (
	readOnly  = []string{"read"}
	readWrite = []string{"read", "create", "update"}
	// The hazard steps are separate rights (internal/hazards): rectify and
	// close_own on the enterprise side; verify, decide_major (MAJOR
	// hazards: principals only) and supervise (督办) on the government side.
	hazardActs = []string{"read", "create", "update", "rectify", "close_own", "verify", "decide_major", "supervise"}
	// A responsibility letter has one action per step of its lifecycle
	// (docs/LETTERS.md).
	letterActs = []string{"read", "create", "update", "issue", "sign", "revoke", "archive", "attach"}
	// A notice is issued (create) by its issuer side, signed for (receive)
	// and answered (reply) at each recipient unit; files are attached by
	// the issuer side (internal/notices).
	noticeActs    = []string{"read", "create", "receive", "reply", "attach"}
	educationActs = []string{"read", "create", "update", "delete", "attach"}
)

// Records is the registry: every table of the schema appears in exactly one
// record (TestRegistryCoversTheSchema walks the generated tables and the
// default policy against it). ScopedTables, IssuerScopedTables,
// ObjectTypes, Actions, the policy upgrades and the audit coverage are all
// derived from it.
var Records = []Record{
	{Type: "unit", Since: 1, Actions: readWrite, Tables: []Table{{Entity: "Unit", Name: "units"}}},
	{Type: "enterprise", Since: 1, Actions: readWrite, Tables: []Table{{Entity: "Enterprise", Name: "enterprises"}}},
	{Type: "user", Since: 1, Actions: readWrite, Tables: []Table{{Entity: "User", Name: "users"}}},
	{Type: "post", Since: 1, Actions: readWrite, Tables: []Table{{Entity: "Post", Name: "posts"}}},
	{Type: "policy", Since: 1, Actions: []string{"read", "update"}, Placement: Internal, Tables: []Table{
		{Entity: "CasbinRule", Name: "casbin_rules", NotAudited: "policy rows: Store.ChangeRule records each change as one POLICY_CHANGE event"},
		{Entity: "PolicyRevision", Name: "policy_revisions", NotAudited: "a counter bumped with every policy change (recorded as POLICY_CHANGE)"},
	}},
	{Type: audit.ObjectType, Since: 1, Actions: readOnly, Historical: true, Protected: true, Tables: []Table{
		{Entity: "AuditEvent", Name: "audit_events", NotAudited: "the audit log itself (append-only, written by internal/audit)"},
	}},
	{Type: "checklist", Since: 3, Actions: []string{"read", "create"}, Placement: TenantWide, Tables: []Table{
		{Entity: "ChecklistTemplate", Name: "checklist_templates"},
	}},
	{Type: "campaign", Since: 3, Actions: readWrite, Tables: []Table{{Entity: "Campaign", Name: "campaigns"}}},
	{Type: "inspection", Since: 3, Actions: readWrite, Tables: []Table{
		{Entity: "Inspection", Name: "inspections"},
	}},
	{Type: "random_draw", Since: 3, Actions: []string{"read", "create"}, Tables: []Table{{Entity: "RandomDraw", Name: "random_draws"}}},
	// A hazard, its events and the re-checks of follow-up inspections
	// (事后督查), which copy the hazard's scope columns: a FOLLOW_UP
	// inspection of a town re-checks hazards of several enterprises.
	{Type: "hazard", Since: 3, Actions: hazardActs, Tables: []Table{
		{Entity: "Hazard", Name: "hazards"},
		{Entity: "HazardEvent", Name: "hazard_events"},
		{Entity: "FollowUpCheck", Name: "follow_up_checks"},
	}},
	// Assignments (交办) of hazards to their responsible units, scoped by the
	// hazard's subject unit; created by the government side (internal/hazards).
	{Type: "hazard_assignment", Since: 6, Actions: []string{"read", "create"}, Tables: []Table{
		{Entity: "HazardAssignment", Name: "hazard_assignments"},
	}},
	{Type: "letter", Since: 2, Actions: letterActs, IssuerSide: true, Tables: []Table{
		{Entity: "ResponsibilityLetter", Name: "responsibility_letters"},
		{Entity: "LetterSignature", Name: "letter_signatures"},
		{Entity: "LetterEvent", Name: "letter_events"},
	}},
	// A notice and its receipts (one per recipient unit): the receipts are
	// scoped by the recipient, the notice by its issuer.
	{Type: "notice", Since: 4, Actions: noticeActs, IssuerSide: true, Tables: []Table{
		{Entity: "Notice", Name: "notices"},
		{Entity: "NoticeReceipt", Name: "notice_receipts"},
	}},
	// How units organise their safety work (internal/organisation): their
	// leadership groups, with members by post, and their meetings.
	{Type: "leadership_group", Since: 4, Actions: readWrite, Tables: []Table{
		{Entity: "LeadershipGroup", Name: "leadership_groups"},
		{Entity: "GroupMember", Name: "group_members"},
	}},
	{Type: "meeting", Since: 4, Actions: []string{"read", "create", "attach"}, Tables: []Table{{Entity: "Meeting", Name: "meetings"}}},
	// Education (internal/education): trainings with their trainees (each
	// scoped by the trainee's enterprise, readable from the organiser's side)
	// and publicity activities with the enterprises they visited.
	{Type: "training", Since: 5, Actions: educationActs, IssuerSide: true, Tables: []Table{
		{Entity: "Training", Name: "trainings"},
		{Entity: "Trainee", Name: "trainees"},
	}},
	{Type: "publicity", Since: 5, Actions: educationActs, Tables: []Table{
		{Entity: "Publicity", Name: "publicities"},
		{Entity: "PublicityVisit", Name: "publicity_visits"},
	}},
	// Staffing (internal/staffing): certificates of enterprise-side staff,
	// and the duty list of each post, acknowledged by its holder.
	{Type: "certificate", Since: 5, Actions: readWrite, Tables: []Table{{Entity: "Certificate", Name: "certificates"}}},
	{Type: "duty_list", Since: 5, Actions: []string{"read", "create", "update", "acknowledge"}, Tables: []Table{
		{Entity: "DutyList", Name: "duty_lists"},
	}},
	// Emergency readiness (internal/emergency): plans, one EFFECTIVE
	// version per series, approved by the unit's principal, and drills.
	{Type: "emergency_plan", Since: 5, Actions: []string{"read", "create", "approve", "attach"}, Tables: []Table{
		{Entity: "EmergencyPlan", Name: "emergency_plans"},
	}},
	{Type: "drill", Since: 5, Actions: []string{"read", "create", "attach"}, Tables: []Table{{Entity: "Drill", Name: "drills"}}},
	// Emergency readiness (internal/readiness): duty rosters with their
	// shifts, rescue teams and material reserves, each recorded by its unit.
	{Type: "duty_roster", Since: 5, Actions: readWrite, Tables: []Table{
		{Entity: "DutyRoster", Name: "duty_rosters"},
		{Entity: "DutyShift", Name: "duty_shifts"},
	}},
	{Type: "rescue_team", Since: 5, Actions: readWrite, Tables: []Table{{Entity: "RescueTeam", Name: "rescue_teams"}}},
	{Type: "material_reserve", Since: 5, Actions: readWrite, Tables: []Table{{Entity: "MaterialReserve", Name: "material_reserves"}}},
	// Risk points (风险分级管控, internal/prevention) with their control
	// measures and grading history: identified (create), graded (grade)
	// and checked (check) by the enterprise side only.
	{Type: "risk_point", Since: 5, Actions: []string{"read", "create", "grade", "check"}, Tables: []Table{
		{Entity: "RiskPoint", Name: "risk_points"},
		{Entity: "ControlMeasure", Name: "control_measures"},
		{Entity: "RiskGrading", Name: "risk_gradings"},
	}},
	// Enforcement actions (执法, internal/enforcement) with the hazards they
	// concern: issued (create) and moved through their states (update) only
	// in the name of an enforcement department; read by the target's side
	// and the issuing department's. A link to a hazard copies the hazard's
	// scope columns, with no issuer side: read where the hazard is.
	{Type: "enforcement", Since: 6, Actions: readWrite, IssuerSide: true, Tables: []Table{
		{Entity: "EnforcementAction", Name: "enforcement_actions"},
		{Entity: "EnforcementHazard", Name: "enforcement_hazards"},
	}},
	// Notifications (提醒、督办, internal/notify): each read and marked read
	// by its recipient only (the ent schema's own filter and hook).
	{Type: "notification", Since: 7, Actions: []string{"read", "update"}, Placement: TenantWide, Tables: []Table{
		{Entity: "Notification", Name: "notifications"},
	}},
	// Files attached to any record (internal/files): each row copies its
	// owner's scope columns, so a file is read where its owner is.
	{Type: "file", Since: 2, Actions: readOnly, IssuerSide: true, Tables: []Table{{Entity: "File", Name: "files"}}},
	// Directory import jobs (internal/imports), written by the system only:
	// scoped by the post a job was started under — its unit's path, and
	// the sector key of the post's sectors (all sectors for a post without)
	// — so a job is read only by posts that read every row it may write.
	// The rows an import writes are audited as their own creates.
	{Type: "import_job", Since: 7, Actions: readOnly, Tables: []Table{
		{Entity: "ImportJob", Name: "import_jobs", NotAudited: "an import's bookkeeping (state, progress, problems); the rows it imports are audited as their creates"},
	}},
	// Tables no policy row names.
	{Placement: TenantWide, Tables: []Table{
		{Entity: "Tenant", Name: "tenants"},
		{Entity: "Supervision", Name: "supervisions", AuditSubject: "enterprise_id"},
		{Entity: "TenantSetting", Name: "tenant_settings"},
	}},
	{Placement: Internal, Tables: []Table{
		{Entity: "AuditHead", Name: "audit_heads", NotAudited: "the head of the audit chain, written with each event"},
		{Entity: "RefreshToken", Name: "refresh_tokens", NotAudited: "secrets: sessions are recorded as LOGIN, REFRESH, REFRESH_REUSE and LOGOUT events"},
		{Entity: "LoginAttempt", Name: "login_attempts", NotAudited: "throttle counters: sign-ins are recorded as LOGIN and LOGIN_FAILED events"},
		{Entity: "SigningKey", Name: "signing_keys", NotAudited: "token signing keys, written at start and by `dutychain keys rotate`, which logs each rotation"},
	}},
}

// AnyType is the wildcard object type of policy rows.
const AnyType = "*"

// Derived from Records at start.
var (
	// ScopedTables are the tables whose scope columns re-parenting
	// rewrites in one transaction.
	ScopedTables []string
	// IssuerScopedTables are the tables that also carry ColIssuerPath;
	// re-parenting rewrites that column too.
	IssuerScopedTables []string
	// ObjectTypes are the object types policy rows may name.
	ObjectTypes []string
	// Actions are the actions policy rows may name: those of every type.
	Actions []string
	// InternalTypes are the ent types whose writes are not audit events,
	// each with the reason; AuditHook records every other type.
	InternalTypes map[string]string

	recordsByType   map[string]*Record
	tablesByEntity  map[string]*Table
	recordsByEntity map[string]*Record
)

func init() {
	ObjectTypes = []string{AnyType}
	Actions = []string{AnyType}
	InternalTypes = map[string]string{}
	recordsByType = map[string]*Record{}
	tablesByEntity = map[string]*Table{}
	recordsByEntity = map[string]*Record{}
	for i := range Records {
		r := &Records[i]
		if r.Type != "" {
			ObjectTypes = append(ObjectTypes, r.Type)
			recordsByType[r.Type] = r
			for _, a := range r.Actions {
				if !slices.Contains(Actions, a) {
					Actions = append(Actions, a)
				}
			}
		}
		for j := range r.Tables {
			t := &r.Tables[j]
			tablesByEntity[t.Entity] = t
			recordsByEntity[t.Entity] = r
			if t.NotAudited != "" {
				InternalTypes[t.Entity] = t.NotAudited
			}
			if r.Placement != Scoped {
				continue
			}
			if !r.Historical {
				ScopedTables = append(ScopedTables, t.Name)
			}
			if r.IssuerSide {
				IssuerScopedTables = append(IssuerScopedTables, t.Name)
			}
		}
	}
}

// Lookup returns the record of object type typ.
func Lookup(typ string) (Record, bool) {
	r, ok := recordsByType[typ]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

// MustLookup returns the record of object type typ, which must be a scoped
// one: the ScopeMixin of ent/schema calls it while the schema is loaded, so
// an unregistered type stops code generation with its name.
func MustLookup(typ string) Record {
	r, ok := Lookup(typ)
	if !ok {
		panic(fmt.Sprintf("authz: object type %q is not in the registry (authz/registry.go)", typ))
	}
	if r.Placement != Scoped {
		panic(fmt.Sprintf("authz: object type %q is not registered as Scoped", typ))
	}
	return r
}

// HasIssuerSide reports whether objects of type typ carry an issuer side.
func HasIssuerSide(typ string) bool {
	r, ok := recordsByType[typ]
	return ok && r.IssuerSide
}

// isProtected reports whether typ is a protected type (Record.Protected).
func isProtected(typ string) bool {
	r, ok := recordsByType[typ]
	return ok && r.Protected
}

// addedIn reports whether a default rule first appeared in version ver
// (after version 1): the version its object type was registered with.
func addedIn(ver int, r Rule) bool {
	rec, ok := recordsByType[r.Type]
	return ok && ver > 1 && rec.Since == ver
}
