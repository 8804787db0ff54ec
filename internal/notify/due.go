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
// date. The dates in the sentences are the tenant's (zones). One statement
// per kind.
func FindDue(ctx context.Context, c *ent.Client, now time.Time, zones Zones) ([]Due, error) {
	ctx = authz.SystemContext(ctx)
	var out []Due
	letters, err := c.ResponsibilityLetter.Query().
		Where(responsibilityletter.StateIn(domain.LetterIssued, domain.LetterPartiallySigned),
			responsibilityletter.IssuedAtLT(now.Add(-tasks.LetterSigningTime))).
		Order(ent.Asc(responsibilityletter.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("letters awaiting signature: %w", err)
	}
	for _, l := range letters {
		due := l.IssuedAt.Add(tasks.LetterSigningTime)
		out = append(out, Due{l.TenantID, LetterToSign, l.ID, l.SigneeUnitID, due,
			fmt.Sprintf("The responsibility letter %q awaits the signature of %s since %s.", l.Title, l.SigneeName, dateIn(due, zones.of(l.TenantID)))})
	}
	hazards, err := c.Hazard.Query().Where(hazard.StateNEQ(domain.HazardClosed), hazard.DeadlineLT(now)).
		Order(ent.Asc(hazard.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("overdue hazards: %w", err)
	}
	for _, h := range hazards {
		out = append(out, Due{h.TenantID, HazardOverdue, h.ID, h.SubjectID, h.Deadline,
			fmt.Sprintf("The hazard %q (%s) is past its rectification deadline of %s.", h.Category, h.State, dateIn(h.Deadline, zones.of(h.TenantID)))})
	}
	assignments, err := c.HazardAssignment.Query().
		Where(hazardassignment.FollowUpOnLT(now)).
		WithHazard().Order(ent.Asc(hazardassignment.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("assignments past follow-up: %w", err)
	}
	for _, a := range assignments {
		// The hazard's state is read through the loaded edge, not a
		// Has…With EXISTS (which would skip the viewer's filter).
		if a.Edges.Hazard == nil || a.Edges.Hazard.State == domain.HazardClosed {
			continue
		}
		out = append(out, Due{a.TenantID, AssignmentFollowUpDue, a.ID, a.AssigneeID, a.FollowUpOn,
			fmt.Sprintf("The hazard %q assigned to your unit was due to be followed up by %s and is still open.", a.Edges.Hazard.Category, dateIn(a.FollowUpOn, zones.of(a.TenantID)))})
	}
	certs, err := c.Certificate.Query().Where(certificate.ValidUntilLT(now.Add(tasks.CertificateWarning))).
		Order(ent.Asc(certificate.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("certificates expiring: %w", err)
	}
	for _, cert := range certs {
		verb := "expires"
		if cert.ValidUntil.Before(now) {
			verb = "expired"
		}
		out = append(out, Due{cert.TenantID, CertificateExpiring, cert.ID, cert.UnitID, cert.ValidUntil,
			fmt.Sprintf("The %s certificate %s of %s %s on %s.", cert.Kind, cert.Number, cert.HolderName, verb, dateIn(cert.ValidUntil, zones.of(cert.TenantID)))})
	}
	receipts, err := c.NoticeReceipt.Query().Where(noticereceipt.ReceivedAtIsNil(), noticereceipt.DueAtLT(now)).
		WithNotice().Order(ent.Asc(noticereceipt.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("notices not received: %w", err)
	}
	for _, r := range receipts {
		out = append(out, Due{r.TenantID, NoticeNotReceived, r.NoticeID, r.RecipientUnitID, r.DueAt,
			fmt.Sprintf("The notice %s %q was due to be signed for (签收) by %s.", r.Edges.Notice.DocumentNumber, r.Edges.Notice.Title, dateIn(r.DueAt, zones.of(r.TenantID)))})
	}
	return out, nil
}
