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

// inTx runs fn in a transaction, rolling back on error or panic.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	tx, err := s.Client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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
