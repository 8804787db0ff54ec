package staffing

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// CertificateAllowed lists what the caller may do with a certificate whose
// decision object is o: the scope hook's decision on its update.
func CertificateAllowed(ctx context.Context, o authz.Object) []domain.CertificateAction {
	out := []domain.CertificateAction{}
	if authz.Allows(ctx, o, "update") {
		out = append(out, domain.CertificateUpdate)
	}
	return out
}

// DutyListAllowed lists what the caller may do with duty list d of post p
// (nil when unread) whose decision object is o, at now: EDIT as
// SetDutyList decides it, ACKNOWLEDGE as AcknowledgeDutyList does.
func DutyListAllowed(ctx context.Context, o authz.Object, d *ent.DutyList, p *ent.Post, now time.Time) []domain.DutyListAction {
	out := []domain.DutyListAction{}
	if p != nil && ValidAt(p, now) && authz.Allows(ctx, o, "update") {
		out = append(out, domain.DutyListEdit)
	}
	if !Acknowledged(d) && MayAcknowledge(ctx, o, d.UnitID, d.PostID) == nil {
		out = append(out, domain.DutyListAcknowledge)
	}
	return out
}
