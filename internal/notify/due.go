package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/hazardassignment"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/notification"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/schema"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/tasks"
)

// Kind is what a notification is about (the NotificationKind enum).
type Kind = notification.Kind

// The kinds of notification.
const (
	LetterToSign          = notification.KindLETTER_TO_SIGN
	HazardOverdue         = notification.KindHAZARD_OVERDUE
	AssignmentFollowUpDue = notification.KindASSIGNMENT_FOLLOW_UP_DUE
	CertificateExpiring   = notification.KindCERTIFICATE_EXPIRING
	NoticeNotReceived     = notification.KindNOTICE_NOT_RECEIVED
)

// Due is one record due or overdue at a unit: what its posts are reminded
// of.
type Due struct {
	Tenant int
	Kind   Kind
	// ObjectID is the record's global id.
	ObjectID int
	// UnitID is the unit responsible for it.
	UnitID int
	DueAt  time.Time
	Why    string
	// Record is the decision object of the row that decides who reads the
	// record (schema.NotifiedRecords: the record itself, or for a notice
	// the receipt of UnitID), from its scope columns; Plan adds the
	// supervisors. Only the reminder scan fills it.
	Record authz.Object
}

// Zones gives the time zone a tenant shows its dates in (the tenant's
// setting, see readiness.Service.Zones); nil, or a nil answer, is UTC.
type Zones func(tenant int) *time.Location

// of is tenant's zone.
func (z Zones) of(tenant int) *time.Location {
	if z == nil {
		return time.UTC
	}
	if loc := z(tenant); loc != nil {
		return loc
	}
	return time.UTC
}

// dateIn formats a due date for a sentence, as a date of zone loc.
func dateIn(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// FindDue returns every record of every tenant due or overdue at now, as
// the system: letters unsigned past their signing time, hazards past their
// deadline, assignments past their follow-up date, certificates within
// their warning time of expiry, notices unsigned for past their receipt
// date. The dates in the sentences are the tenant's (zones). It holds them
// all in memory: the reminder scan walks them with EachDue instead.
func FindDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones) ([]Due, error) {
	var out []Due
	err := EachDue(ctx, c, now, zones, DefaultDuePage, func(page []Due) error {
		out = append(out, page...)
		return nil
	})
	return out, err
}

// DefaultDuePage is how many records EachDue reads per statement when
// asked for 0.
const DefaultDuePage = 500

// EachDue calls fn with what FindDue returns, one page of at most size
// records of one kind at a time, each page one statement (keyset on the
// id): a county's tens of thousands of overdue hazards never sit in memory
// at once, and no statement carries more ids than a page.
func EachDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, size int, fn func([]Due) error) error {
	ctx = authz.SystemContext(ctx)
	if size <= 0 {
		size = DefaultDuePage
	}
	for _, kind := range dueKinds {
		for after := 0; ; {
			page, last, err := kind(ctx, c, now, zones, after, size)
			if err != nil {
				return err
			}
			if len(page) > 0 {
				if err := fn(page); err != nil {
					return err
				}
			}
			if last == 0 {
				break
			}
			after = last
		}
	}
	return nil
}

// duePage reads the records of one kind with an id above after, at most
// size of them, and returns those due and the last id read (0 when the
// kind has no more).
type duePage func(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) (page []Due, last int, err error)

// dueKinds are the kinds the reminder scan walks, in order.
var dueKinds = []duePage{lettersDue, hazardsDue, assignmentsDue, certificatesDue, receiptsDue}

// lastID is the id the next page starts after: the last row's when the page
// is full, 0 when it is not (there is no next page).
func lastID(n, size, id int) int {
	if n < size {
		return 0
	}
	return id
}

func lettersDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) ([]Due, int, error) {
	letters, err := c.ResponsibilityLetter.Query().
		Where(responsibilityletter.StateIn(domain.LetterIssued, domain.LetterPartiallySigned),
			responsibilityletter.IssuedAtLT(now.Add(-tasks.LetterSigningTime)), responsibilityletter.IDGT(after)).
		Order(ent.Asc(responsibilityletter.FieldID)).Limit(size).All(ctx)
	if err != nil || len(letters) == 0 {
		return nil, 0, wrapDue("letters awaiting signature", err)
	}
	out := make([]Due, 0, len(letters))
	for _, l := range letters {
		due := l.IssuedAt.Add(tasks.LetterSigningTime)
		o := record(LetterToSign, l.TenantID, l.ScopePath, l.ScopeSector, l.ScopeEnterpriseID)
		if l.IssuerScopePath != nil {
			o.IssuerPath = *l.IssuerScopePath
		}
		o.IssuerOnly = l.IssuerOnly
		out = append(out, Due{l.TenantID, LetterToSign, l.ID, l.SigneeUnitID, due,
			fmt.Sprintf("The responsibility letter %q awaits the signature of %s since %s.", l.Title, l.SigneeName, dateIn(due, zones.of(l.TenantID))), o})
	}
	return out, lastID(len(letters), size, letters[len(letters)-1].ID), nil
}

func hazardsDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) ([]Due, int, error) {
	hazards, err := c.Hazard.Query().Where(hazard.StateNEQ(domain.HazardClosed), hazard.DeadlineLT(now), hazard.IDGT(after)).
		Order(ent.Asc(hazard.FieldID)).Limit(size).
		Select(hazard.FieldTenantID, hazard.FieldSubjectID, hazard.FieldDeadline, hazard.FieldCategory, hazard.FieldState,
			hazard.FieldScopePath, hazard.FieldScopeSector, hazard.FieldScopeEnterpriseID).All(ctx)
	if err != nil || len(hazards) == 0 {
		return nil, 0, wrapDue("overdue hazards", err)
	}
	out := make([]Due, 0, len(hazards))
	for _, h := range hazards {
		out = append(out, Due{h.TenantID, HazardOverdue, h.ID, h.SubjectID, h.Deadline,
			fmt.Sprintf("The hazard %q (%s) is past its rectification deadline of %s.", h.Category, h.State, dateIn(h.Deadline, zones.of(h.TenantID))),
			record(HazardOverdue, h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)})
	}
	return out, lastID(len(hazards), size, hazards[len(hazards)-1].ID), nil
}

func assignmentsDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) ([]Due, int, error) {
	assignments, err := c.HazardAssignment.Query().
		Where(hazardassignment.FollowUpOnLT(now), hazardassignment.IDGT(after)).
		WithHazard().Order(ent.Asc(hazardassignment.FieldID)).Limit(size).All(ctx)
	if err != nil || len(assignments) == 0 {
		return nil, 0, wrapDue("assignments past follow-up", err)
	}
	out := make([]Due, 0, len(assignments))
	for _, a := range assignments {
		// The hazard's state is read through the loaded edge, not a
		// Has…With EXISTS (which would skip the viewer's filter).
		if a.Edges.Hazard == nil || a.Edges.Hazard.State == domain.HazardClosed {
			continue
		}
		out = append(out, Due{a.TenantID, AssignmentFollowUpDue, a.ID, a.AssigneeID, a.FollowUpOn,
			fmt.Sprintf("The hazard %q assigned to your unit was due to be followed up by %s and is still open.", a.Edges.Hazard.Category, dateIn(a.FollowUpOn, zones.of(a.TenantID))),
			record(AssignmentFollowUpDue, a.TenantID, a.ScopePath, a.ScopeSector, a.ScopeEnterpriseID)})
	}
	return out, lastID(len(assignments), size, assignments[len(assignments)-1].ID), nil
}

func certificatesDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) ([]Due, int, error) {
	certs, err := c.Certificate.Query().Where(certificate.ValidUntilLT(now.Add(tasks.CertificateWarning)), certificate.IDGT(after)).
		Order(ent.Asc(certificate.FieldID)).Limit(size).All(ctx)
	if err != nil || len(certs) == 0 {
		return nil, 0, wrapDue("certificates expiring", err)
	}
	out := make([]Due, 0, len(certs))
	for _, cert := range certs {
		verb := "expires"
		if cert.ValidUntil.Before(now) {
			verb = "expired"
		}
		out = append(out, Due{cert.TenantID, CertificateExpiring, cert.ID, cert.UnitID, cert.ValidUntil,
			fmt.Sprintf("The %s certificate %s of %s %s on %s.", cert.Kind, cert.Number, cert.HolderName, verb, dateIn(cert.ValidUntil, zones.of(cert.TenantID))),
			record(CertificateExpiring, cert.TenantID, cert.ScopePath, cert.ScopeSector, cert.ScopeEnterpriseID)})
	}
	return out, lastID(len(certs), size, certs[len(certs)-1].ID), nil
}

func receiptsDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones, after, size int) ([]Due, int, error) {
	receipts, err := c.NoticeReceipt.Query().Where(noticereceipt.ReceivedAtIsNil(), noticereceipt.DueAtLT(now), noticereceipt.IDGT(after)).
		WithNotice().Order(ent.Asc(noticereceipt.FieldID)).Limit(size).All(ctx)
	if err != nil || len(receipts) == 0 {
		return nil, 0, wrapDue("notices not received", err)
	}
	out := make([]Due, 0, len(receipts))
	for _, r := range receipts {
		// A recipient reads the notice through this receipt: the receipt decides.
		o := record(NoticeNotReceived, r.TenantID, r.ScopePath, r.ScopeSector, r.ScopeEnterpriseID)
		if r.IssuerScopePath != nil {
			o.IssuerPath = *r.IssuerScopePath
		}
		o.IssuerOnly = r.IssuerOnly
		out = append(out, Due{r.TenantID, NoticeNotReceived, r.NoticeID, r.RecipientUnitID, r.DueAt,
			fmt.Sprintf("The notice %s %q was due to be signed for (签收) by %s.", r.Edges.Notice.DocumentNumber, r.Edges.Notice.Title, dateIn(r.DueAt, zones.of(r.TenantID))), o})
	}
	return out, lastID(len(receipts), size, receipts[len(receipts)-1].ID), nil
}

// record is the decision object of a notification of kind about a row with
// the given scope columns, typed as schema.NotifiedRecords types it.
func record(kind Kind, tenant int, path string, sector *string, enterpriseID *int) authz.Object {
	return authz.ObjectOf(RecordType(kind), tenant, path, sector, enterpriseID, nil)
}

// RecordType is the object type whose read decides who may be notified of
// kind (schema.NotifiedRecords); empty for an unknown kind, which nobody
// reads.
func RecordType(kind Kind) string {
	for _, r := range schema.NotifiedRecords {
		if r.Kind == string(kind) {
			return r.Type
		}
	}
	return ""
}

// wrapDue names the kind a failed page read was for; nil stays nil.
func wrapDue(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
