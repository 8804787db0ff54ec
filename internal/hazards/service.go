// Package hazards records inspections, campaigns, random draws and hidden
// hazards (隐患排查治理) and runs the hazard state machines of the brief (§5).
// Each operation validates its input and runs in one transaction; creates go
// through the ent scope hooks (tenant stamping, jurisdiction check), and
// hazard transitions are decided here, per step and per side, with casbin.
package hazards

import (
	"context"
	"errors"
	"fmt"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/txn"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/internal/apperr"
)

// Service performs the inspection and hazard mutations.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
	// Files stores the photos attached to transitions.
	Files *files.Service
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// inTx runs fn in one transaction (internal/txn).
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return txn.Run(ctx, s.Client, fn)
}

func viewer(ctx context.Context) (*authz.Viewer, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.UserID == 0 && !v.IsSystem() {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return v, nil
}

// notFound maps a scoped load's miss (absent, other tenant, out of scope) to
// one NOT_FOUND naming the input field, so the three are indistinguishable.
func notFound(err error, what, field string) error {
	if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
		e := apperr.NotFoundf("%s not found", what)
		e.Field = field
		return e
	}
	return fmt.Errorf("load %s: %w", what, err)
}

func invalid(field, format string, args ...any) error {
	return apperr.Invalid(field, fmt.Sprintf(format, args...))
}
