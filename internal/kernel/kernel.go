// Package kernel is what every domain service (org, letters, hazards,
// inspections) shares: the clock, the transaction, the signed-in viewer, and
// loading a record through the caller's scope so that a record that is
// absent, in another tenant or out of scope answers one NOT_FOUND.
//
// A service method has this shape: input checks first (every bad field at
// once, collected with Problems), then one transaction
// in which records are loaded through the caller's scope and written
// through the ent scope hooks, which decide the write:
//
//	func (s *Service) CreateDrill(ctx context.Context, in DrillInput) (*ent.Drill, error) {
//		if err := in.validate(); err != nil {
//			return nil, err
//		}
//		now := kernel.Now(s.Now)
//		return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Drill, error) {
//			u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
//			if err != nil {
//				return nil, err
//			}
//			d, err := c.Drill.Create().SetUnitID(u.ID).SetHeldAt(now).Save(ctx)
//			if err != nil {
//				return nil, err
//			}
//			return c.Drill.Get(ctx, d.ID)
//		})
//	}
//
// A step decided on a record's state writes with Claim (conflict.go): a
// conditional update that changes the row only while it still holds the
// facts the step was decided on, CONFLICT otherwise.
package kernel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/internal/apperr"
)

// Now reads clock in UTC; a nil clock is the wall clock. Services keep a
// `Now func() time.Time` field so tests can fix the time.
func Now(clock func() time.Time) time.Time {
	if clock != nil {
		return clock().UTC()
	}
	return time.Now().UTC()
}

// Viewer returns the caller, or UNAUTHENTICATED when nobody signed in. The
// system viewer (seeding, jobs) passes.
func Viewer(ctx context.Context) (*authz.Viewer, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.UserID == 0 && !v.IsSystem() {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return v, nil
}

// NotFound maps a scoped load's miss (absent, other tenant, out of scope:
// ent's not-found or a privacy deny) to NOT_FOUND "<what> not found" naming
// the input field (none when field is empty); other errors are wrapped.
func NotFound(err error, what, field string) error {
	if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
		e := apperr.NotFoundf("%s not found", what)
		e.Field = field
		return e
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// Load gets record id with get (say c.Hazard.Get) through the caller's
// scope, mapping a miss with NotFound.
func Load[T any](ctx context.Context, get func(context.Context, int) (T, error), id int, what, field string) (T, error) {
	r, err := get(ctx, id)
	if err != nil {
		var zero T
		return zero, NotFound(err, what, field)
	}
	return r, nil
}

// Unit loads a unit the caller can read, NOT_FOUND on field otherwise.
func Unit(ctx context.Context, c *ent.Client, id int, field string) (*ent.Unit, error) {
	return Load(ctx, c.Unit.Get, id, "unit", field)
}

// Invalidf is BAD_USER_INPUT on field with a formatted message.
func Invalidf(field, format string, args ...any) error {
	return apperr.Invalid(field, fmt.Sprintf(format, args...))
}

// Problems collects the input problems of one request, so that a client
// learns of every bad field at once rather than one per attempt.
type Problems struct{ errs []error }

// Check adds a BAD_USER_INPUT problem on field when bad; it reports bad.
func (p *Problems) Check(bad bool, field, format string, args ...any) bool {
	if bad {
		p.errs = append(p.errs, Invalidf(field, format, args...))
	}
	return bad
}

// Add adds err; nil is ignored.
func (p *Problems) Add(err error) {
	if err != nil {
		p.errs = append(p.errs, err)
	}
}

// Err returns nil, the one problem, or all of them as apperr.Problems
// (the GraphQL layer reports each as its own error).
func (p *Problems) Err() error { return apperr.Join(p.errs...) }

// Lockable is an ent query of one record that can lock the rows it reads
// (every generated query is: ForUpdate, Only).
type Lockable[Q any, T any] interface {
	ForUpdate(opts ...entsql.LockOption) Q
	Only(ctx context.Context) (T, error)
}

// Hold loads the one record q selects through the caller's scope, as Load
// does (a miss is NOT_FOUND naming field), and locks its row until the
// transaction ends: SELECT … FOR UPDATE on PostgreSQL, where a concurrent
// writer of the same record waits for this transaction; SQLite serialises
// writers. A decision taken from the held record therefore stays true
// while the transaction writes — a replace-all update of a record's parts
// (a training's trainees) is never merged with another.
func Hold[Q Lockable[Q, T], T any](ctx context.Context, dialectName string, q Q, what, field string) (T, error) {
	if dialectName != dialect.SQLite {
		q = q.ForUpdate()
	}
	r, err := q.Only(ctx)
	if err != nil {
		var zero T
		return zero, NotFound(err, what, field)
	}
	return r, nil
}
