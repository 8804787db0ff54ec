package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/internal/apperr"
)

// refreshBytes is the entropy of a refresh token.
const refreshBytes = 32

// msgInvalidRefresh is the one public message of every refresh failure.
const msgInvalidRefresh = "invalid or expired refresh token"

// Internal causes of refresh failures, wrapped in UNAUTHENTICATED errors so
// that callers can tell them apart for the audit log (errors.Is).
var (
	// ErrRefreshInvalid: the token is unknown, expired or revoked.
	ErrRefreshInvalid = errors.New("refresh token unknown, expired or revoked")
	// ErrRefreshReuse: an already rotated token was presented again; the
	// whole family has been revoked. This is a sign of token theft.
	ErrRefreshReuse = errors.New("refresh token reused: family revoked")
)

// ReuseError is the cause of a detected refresh-token reuse, for the audit
// record: errors.Is(err, ErrRefreshReuse) holds, and errors.As gives the user.
type ReuseError struct {
	TenantID, UserID int
	Family           string
}

func (e *ReuseError) Error() string {
	return fmt.Sprintf("%v (tenant %d, user %d)", ErrRefreshReuse, e.TenantID, e.UserID)
}

// Is makes errors.Is(err, ErrRefreshReuse) true.
func (e *ReuseError) Is(target error) bool { return target == ErrRefreshReuse }

// Refresher issues, rotates and revokes refresh tokens: opaque random values
// of which only the SHA-256 is stored. Each login starts a family; every
// rotation marks the presented token used and issues the next one of the same
// family, valid TTL from the rotation (a sliding lifetime). Presenting a used
// token again revokes the family.
//
// All methods run under authz.SystemContext: refresh tokens are a system
// table. The zero Now means time.Now.
type Refresher struct {
	TTL time.Duration
	Now func() time.Time
	// OnRotate, when set, runs inside the rotation's transaction just before
	// it commits — after a successful rotation (reuse false) and after a
	// reuse revoked the family (reuse true) — with that transaction's
	// client. An error rolls the transaction back and is returned by Rotate.
	// The auth service checks the user and writes the audit event here.
	OnRotate func(ctx context.Context, tx *ent.Client, rt *ent.RefreshToken, reuse bool) error
}

// now returns the current time in UTC: stored times are compared in SQL, as
// text on SQLite, so they must all be in one zone.
func (r Refresher) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// HashRefreshToken returns the stored form of token: SHA-256, hex.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IssueRefresh stores and returns a new refresh token for userID in tenantID,
// in family or, when family is "", in a new family.
func (r Refresher) IssueRefresh(ctx context.Context, client *ent.Client, tenantID, userID int, family string) (string, error) {
	ctx = authz.SystemContext(ctx)
	if r.TTL <= 0 {
		return "", errors.New("auth: refresh token lifetime not set")
	}
	if family == "" {
		f, err := randomString(16)
		if err != nil {
			return "", err
		}
		family = f
	}
	token, err := randomString(refreshBytes)
	if err != nil {
		return "", err
	}
	now := r.now()
	err = client.RefreshToken.Create().
		SetTenantID(tenantID).
		SetUserID(userID).
		SetFamily(family).
		SetTokenHash(HashRefreshToken(token)).
		SetExpiresAt(now.Add(r.TTL)).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("auth: store refresh token: %w", err)
	}
	return token, nil
}

// Rotate exchanges token for a new one of the same family, in one
// transaction. It returns the tenant and user the token belongs to.
//
// Failures are UNAUTHENTICATED *apperr.Error values wrapping ErrRefreshInvalid
// (unknown, expired, revoked) or ErrRefreshReuse (the token had already been
// rotated: the whole family is revoked and that revocation committed before
// Rotate returns). On ErrRefreshReuse tenantID and userID are set, for the
// audit record. Two concurrent rotations of one token cannot both succeed: the
// token is marked used with a conditional update (used_at IS NULL) whose
// affected-row count decides, and the loser is treated as a reuse. (On the
// embedded SQLite database, whose write transactions begin IMMEDIATE, the
// loser waits and then finds the token used: a reuse as well.)
//
// client must not be a transactional client: Rotate opens its own
// transaction.
func (r Refresher) Rotate(ctx context.Context, client *ent.Client, token string) (tenantID, userID int, newToken string, err error) {
	ctx = authz.SystemContext(ctx)
	if token == "" {
		return 0, 0, "", refreshErr(ErrRefreshInvalid)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return 0, 0, "", fmt.Errorf("auth: begin rotation: %w", err)
	}
	defer func() {
		if err != nil && tx != nil {
			_ = tx.Rollback()
		}
	}()
	rt, err := tx.RefreshToken.Query().Where(refreshtoken.TokenHash(HashRefreshToken(token))).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return 0, 0, "", refreshErr(ErrRefreshInvalid)
	case err != nil:
		return 0, 0, "", fmt.Errorf("auth: look up refresh token: %w", err)
	}
	now := r.now()
	switch {
	case rt.RevokedAt != nil:
		return 0, 0, "", refreshErr(fmt.Errorf("%w (%w)", ErrRefreshInvalid, errRevoked))
	case rt.UsedAt != nil:
		return r.reuse(ctx, &tx, rt, now)
	case !now.Before(rt.ExpiresAt):
		return 0, 0, "", refreshErr(fmt.Errorf("%w (%w)", ErrRefreshInvalid, errExpired))
	}
	n, err := tx.RefreshToken.Update().
		Where(refreshtoken.ID(rt.ID), refreshtoken.UsedAtIsNil(), refreshtoken.RevokedAtIsNil()).
		SetUsedAt(now).
		Save(ctx)
	if err != nil {
		return 0, 0, "", fmt.Errorf("auth: mark refresh token used: %w", err)
	}
	if n != 1 {
		// A concurrent rotation got there first.
		return r.reuse(ctx, &tx, rt, now)
	}
	newToken, err = r.IssueRefresh(ctx, tx.Client(), rt.TenantID, rt.UserID, rt.Family)
	if err != nil {
		return 0, 0, "", err
	}
	if r.OnRotate != nil {
		if err = r.OnRotate(ctx, tx.Client(), rt, false); err != nil {
			return 0, 0, "", err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, "", fmt.Errorf("auth: commit rotation: %w", err)
	}
	tx = nil
	return rt.TenantID, rt.UserID, newToken, nil
}

// reuse revokes rt's family inside *tx, commits, and returns the reuse error.
func (r Refresher) reuse(ctx context.Context, tx **ent.Tx, rt *ent.RefreshToken, now time.Time) (int, int, string, error) {
	if err := revokeFamily(ctx, (*tx).Client(), rt.Family, now); err != nil {
		return 0, 0, "", err
	}
	if r.OnRotate != nil {
		if err := r.OnRotate(ctx, (*tx).Client(), rt, true); err != nil {
			return 0, 0, "", err
		}
	}
	if err := (*tx).Commit(); err != nil {
		return 0, 0, "", fmt.Errorf("auth: commit family revocation: %w", err)
	}
	*tx = nil
	return rt.TenantID, rt.UserID, "", refreshErr(&ReuseError{TenantID: rt.TenantID, UserID: rt.UserID, Family: rt.Family})
}

// RevokeFamilyOf revokes every token of the family token belongs to. An
// unknown token is not an error (logout is idempotent).
func (r Refresher) RevokeFamilyOf(ctx context.Context, client *ent.Client, token string) error {
	rt, err := lookupRefresh(ctx, client, token)
	if err != nil || rt == nil {
		return err
	}
	return revokeFamily(authz.SystemContext(ctx), client, rt.Family, r.now())
}

// RevokeAllForUser revokes every refresh token of userID.
func (r Refresher) RevokeAllForUser(ctx context.Context, client *ent.Client, userID int) error {
	_, err := client.RefreshToken.Update().
		Where(refreshtoken.UserID(userID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(r.now()).
		Save(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("auth: revoke refresh tokens of user %d: %w", userID, err)
	}
	return nil
}

// PruneExpired deletes tokens that expired before cutoff; revoked and used
// ones are kept until then so that reuse is still detected.
func (r Refresher) PruneExpired(ctx context.Context, client *ent.Client, cutoff time.Time) (int, error) {
	n, err := client.RefreshToken.Delete().Where(refreshtoken.ExpiresAtLT(cutoff.UTC())).Exec(authz.SystemContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("auth: prune refresh tokens: %w", err)
	}
	return n, nil
}

// lookupRefresh returns the stored token, nil when unknown.
func lookupRefresh(ctx context.Context, client *ent.Client, token string) (*ent.RefreshToken, error) {
	if token == "" {
		return nil, nil
	}
	rt, err := client.RefreshToken.Query().
		Where(refreshtoken.TokenHash(HashRefreshToken(token))).
		Only(authz.SystemContext(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("auth: look up refresh token: %w", err)
	}
	return rt, nil
}

func revokeFamily(ctx context.Context, client *ent.Client, family string, now time.Time) error {
	_, err := client.RefreshToken.Update().
		Where(refreshtoken.Family(family), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(now).
		Save(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("auth: revoke refresh token family: %w", err)
	}
	return nil
}

// refreshErr is the UNAUTHENTICATED error of a refused refresh: reason
// TOKEN_REVOKED for a revoked or reused token or a disabled user,
// TOKEN_EXPIRED for an expired one, TOKEN_INVALID otherwise. Whatever the
// reason, the client must sign in again.
func refreshErr(cause error) *apperr.Error {
	reason := apperr.ReasonTokenInvalid
	switch {
	case errors.Is(cause, ErrRefreshReuse), errors.Is(cause, errRevoked), errors.Is(cause, ErrUserDisabled):
		reason = apperr.ReasonTokenRevoked
	case errors.Is(cause, errExpired):
		reason = apperr.ReasonTokenExpired
	}
	return apperr.Unauth(reason, msgInvalidRefresh, cause)
}

// Finer causes of ErrRefreshInvalid, for the reason.
var (
	errRevoked = errors.New("revoked")
	errExpired = errors.New("expired")
)
