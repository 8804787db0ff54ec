package inspections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/kernel"
)

// FollowUp is the outcome a FOLLOW_UP inspection records for one hazard it
// re-checks (事后督查).
type FollowUp struct {
	HazardID int
	Outcome  domain.FollowUpOutcome
	Note     string
}

// followUpStep is the hazard step an outcome takes from a state, if any: a
// rectified SUBMITTED hazard is closed, a rectified REPORTED one closed on
// the spot (GENERAL only: the state machine refuses a MAJOR one), an
// unrectified SUBMITTED one rejected. Other outcomes and states are
// recorded without a step.
func followUpStep(o domain.FollowUpOutcome, s domain.HazardState) (domain.HazardAction, bool) {
	switch {
	case o == domain.FollowUpRectified && s == domain.HazardSubmitted:
		return domain.HazardClose, true
	case o == domain.FollowUpRectified && s == domain.HazardReported:
		return domain.HazardCloseOnSpot, true
	case o == domain.FollowUpNotRectified && s == domain.HazardSubmitted:
		return domain.HazardReject, true
	}
	return "", false
}

// checkFollowUpShape: a FOLLOW_UP inspection names at least one hazard,
// each once, with a known outcome; other types name none.
func checkFollowUpShape(typ inspection.Type, fs []FollowUp) error {
	if typ != inspection.TypeFOLLOW_UP {
		if len(fs) > 0 {
			return kernel.Invalidf("followUps", "only a FOLLOW_UP inspection re-checks hazards")
		}
		return nil
	}
	if len(fs) == 0 {
		return kernel.Invalidf("followUps", "a FOLLOW_UP inspection names the hazards it re-checks")
	}
	var p kernel.Problems
	seen := map[int]bool{}
	for i, f := range fs {
		field := fmt.Sprintf("followUps[%d]", i)
		p.Check(!slices.Contains(domain.FollowUpOutcome("").Values(), string(f.Outcome)), field+".outcome", "unknown outcome %q", f.Outcome)
		p.Check(seen[f.HazardID], field+".hazardID", "the hazard is named twice")
		seen[f.HazardID] = true
	}
	return p.Err()
}

// recordFollowUps records the outcome of each hazard rec re-checks and
// moves the hazard on through its state machine (hazards.Step) where the
// outcome decides a step. Each hazard lies in the target's subtree, is open,
// and is read through the caller's scope.
func recordFollowUps(ctx context.Context, c *ent.Client, v *authz.Viewer, rec *ent.Inspection, target *ent.Unit, fs []FollowUp, now time.Time) error {
	for i, f := range fs {
		field := fmt.Sprintf("followUps[%d]", i)
		h, err := kernel.Load(ctx, c.Hazard.Get, f.HazardID, "hazard", field+".hazardID")
		if err != nil {
			return err
		}
		if !strings.HasPrefix(h.ScopePath, target.ScopePath) {
			return kernel.Invalidf(field+".hazardID", "the hazard is not at %s, the unit this inspection re-checks", target.Name)
		}
		if h.State == domain.HazardClosed {
			return kernel.Invalidf(field+".hazardID", "the hazard is already CLOSED")
		}
		note := strings.TrimSpace(f.Note)
		after := h.State
		if action, ok := followUpStep(f.Outcome, h.State); ok {
			if note == "" {
				note = "事后督查：" + string(f.Outcome)
			}
			if _, _, err := hazards.Step(ctx, c, v, h, hazards.TransitionInput{Action: action, Note: note}, now); err != nil {
				return followUpError(err, field)
			}
			cur, err := c.Hazard.Get(authz.SystemContext(ctx), h.ID)
			if err != nil {
				return err
			}
			after = cur.State
		}
		_, err = NewFollowUpCheck(c, rec.ID, h).SetOutcome(f.Outcome).
			SetStateBefore(string(h.State)).SetStateAfter(string(after)).SetNote(note).
			Save(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("record follow-up check: %w", err)
		}
	}
	return nil
}

// NewFollowUpCheck starts the re-check of hazard h by inspection
// inspectionID, with the hazard's tenant and scope columns: a re-check is a
// part of its hazard, read exactly where the hazard is, not where the
// inspection is (a FOLLOW_UP inspection of a town re-checks hazards of
// enterprises of several sectors). Saved as the system, after the caller's
// own decision.
func NewFollowUpCheck(c *ent.Client, inspectionID int, h *ent.Hazard) *ent.FollowUpCheckCreate {
	return c.FollowUpCheck.Create().SetTenantID(h.TenantID).SetScopePath(h.ScopePath).
		SetNillableScopeSector(h.ScopeSector).SetNillableScopeEnterpriseID(h.ScopeEnterpriseID).
		SetInspectionID(inspectionID).SetHazardID(h.ID)
}

// followUpError names the follow-up a refused hazard step came from.
func followUpError(err error, field string) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.BadUserInput {
		return kernel.Invalidf(field+".outcome", "%s", e.Message)
	}
	return err
}
