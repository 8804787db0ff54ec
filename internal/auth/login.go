package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/config"
)

// Public messages.
const (
	msgBadCredentials = "invalid tenant, username or password"
	msgSignIn         = "sign in first"
)

// Internal causes, wrapped inside the *apperr.Error values the Service
// returns, so that the caller can write the right audit record (errors.Is).
var (
	// ErrBadCredentials: unknown tenant, unknown user, wrong password or
	// disabled user — the client cannot tell which.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrUserDisabled accompanies ErrBadCredentials (login) or
	// ErrRefreshInvalid (refresh) when the user exists but is disabled.
	ErrUserDisabled = errors.New("user disabled")
	// ErrNoToken: Authenticate got no bearer token at all.
	ErrNoToken = errors.New("no bearer token")
	// ErrWrongPassword: ChangePassword got a wrong current password.
	ErrWrongPassword = errors.New("wrong current password")
)

// verifyOrDummy is VerifyOrDummy; a variable so that tests can observe which
// hash each path verifies against.
var verifyOrDummy = VerifyOrDummy

// Session is what a successful login or refresh hands to the client.
type Session struct {
	AccessToken  string
	RefreshToken string
	// ExpiresAt is the access token's expiry.
	ExpiresAt time.Time
	UserID    int
	TenantID  int
}

// Service authenticates users. Every database access runs under
// authz.SystemContext. Throttle may be nil (no throttling); the zero Now is
// time.Now.
type Service struct {
	Client     *ent.Client
	Tokens     *Tokens
	Throttle   *Throttle
	RefreshTTL time.Duration
	Now        func() time.Time
}

// NewService returns the Service of cfg.
func NewService(client *ent.Client, keys *KeySet, cfg config.Config) *Service {
	return &Service{
		Client:     client,
		Tokens:     NewTokens(keys, cfg),
		Throttle:   NewThrottleFromConfig(cfg),
		RefreshTTL: cfg.RefreshTTL,
		Now:        time.Now,
	}
}

func (s *Service) refresher() Refresher { return Refresher{TTL: s.RefreshTTL, Now: s.Now} }

// Login checks the throttle, then the credentials, records the attempt and
// returns a new session (a new refresh-token family).
//
// Unknown tenant, unknown user, wrong password and disabled user all give the
// same UNAUTHENTICATED error wrapping ErrBadCredentials (plus ErrUserDisabled
// for a disabled user), and all cost one argon2id verification (against a
// dummy hash when there is no user). A throttled attempt is refused before
// any lookup with the throttle's error (wrapping ErrThrottled) and is not
// recorded as an attempt.
func (s *Service) Login(ctx context.Context, tenantCode, username, password, ip string) (*Session, error) {
	sys := authz.SystemContext(ctx)
	if s.Throttle != nil {
		if err := s.Throttle.Check(ctx, s.Client, tenantCode, username, ip); err != nil {
			if errors.Is(err, ErrThrottled) {
				if aerr := s.auditThrottled(ctx, tenantCode, username); aerr != nil {
					return nil, aerr
				}
			}
			return nil, err
		}
	}
	// An unknown tenant still costs the user lookup (no tenant has id 0).
	tenantID := 0
	t, err := s.Client.Tenant.Query().Where(tenant.Code(tenantCode)).Only(sys)
	switch {
	case err == nil:
		tenantID = t.ID
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("auth: look up tenant: %w", err)
	}
	u, err := s.Client.User.Query().Where(user.TenantID(tenantID), user.Username(username)).Only(sys)
	switch {
	case ent.IsNotFound(err):
		u = nil
	case err != nil:
		return nil, fmt.Errorf("auth: look up user: %w", err)
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	match := verifyOrDummy(hash, password)
	success := match && u.Status == user.StatusACTIVE
	// The attempt, the session and the audit event commit together.
	var sess *Session
	err = s.inTx(sys, func(c *ent.Client) error {
		if s.Throttle != nil {
			if err := s.Throttle.Record(ctx, c, tenantCode, username, ip, success); err != nil {
				return err
			}
		}
		if !success {
			reason := ReasonBadPassword
			switch {
			case tenantID == 0:
				reason = ReasonUnknownTenant
			case u == nil:
				reason = ReasonUnknownUser
			case match:
				reason = ReasonUserDisabled
			}
			return authEvent(ctx, c, audit.OpLoginFailed, tenantID, u, username, reason)
		}
		var err error
		if sess, err = s.newSession(ctx, c, u.TenantID, u.ID, ""); err != nil {
			return err
		}
		return authEvent(ctx, c, audit.OpLogin, u.TenantID, u, username, "")
	})
	if err != nil {
		return nil, err
	}
	if !success {
		cause := ErrBadCredentials
		if match {
			cause = fmt.Errorf("%w: %w", ErrBadCredentials, ErrUserDisabled)
		}
		return nil, apperr.Unauth(apperr.ReasonCredentialsInvalid, msgBadCredentials, cause)
	}
	return sess, nil
}

// auditThrottled records a sign-in the throttle refused: it looks up the
// tenant and user only for the record (the client learns nothing more).
func (s *Service) auditThrottled(ctx context.Context, tenantCode, username string) error {
	sys := authz.SystemContext(ctx)
	tenantID := 0
	var u *ent.User
	if t, err := s.Client.Tenant.Query().Where(tenant.Code(tenantCode)).Only(sys); err == nil {
		tenantID = t.ID
		if found, err := s.Client.User.Query().Where(user.TenantID(t.ID), user.Username(username)).Only(sys); err == nil {
			u = found
		} else if !ent.IsNotFound(err) {
			return fmt.Errorf("auth: look up user: %w", err)
		}
	} else if !ent.IsNotFound(err) {
		return fmt.Errorf("auth: look up tenant: %w", err)
	}
	return s.inTx(sys, func(c *ent.Client) error {
		return authEvent(ctx, c, audit.OpLoginFailed, tenantID, u, username, ReasonLoginThrottled)
	})
}

// Refresh rotates refreshToken and returns a new session of the same family,
// provided the user still exists, is ACTIVE and belongs to the token's tenant.
// Errors are UNAUTHENTICATED, wrapping ErrRefreshInvalid, ErrRefreshReuse
// (see Refresher.Rotate; *ReuseError names the user) or ErrUserDisabled.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	r := s.refresher()
	// The user is checked, and the event written, inside the rotation's
	// transaction: a refused refresh rotates nothing and records nothing; a
	// reuse is recorded with the family's revocation.
	var userErr error
	var family string
	r.OnRotate = func(ctx context.Context, c *ent.Client, rt *ent.RefreshToken, reuse bool) error {
		family = rt.Family
		u, err := c.User.Get(authz.SystemContext(ctx), rt.UserID)
		switch {
		case ent.IsNotFound(err) || (err == nil && u.TenantID != rt.TenantID):
			if reuse {
				return authEvent(ctx, c, audit.OpRefreshReuse, rt.TenantID, nil, "", "")
			}
			userErr = fmt.Errorf("%w: user %d not in tenant %d", ErrRefreshInvalid, rt.UserID, rt.TenantID)
			return userErr
		case err != nil:
			return fmt.Errorf("auth: load user: %w", err)
		case reuse:
			return authEvent(ctx, c, audit.OpRefreshReuse, rt.TenantID, u, u.Username, "")
		case u.Status != user.StatusACTIVE:
			userErr = fmt.Errorf("%w: %w (user %d)", ErrRefreshInvalid, ErrUserDisabled, rt.UserID)
			return userErr
		}
		return authEvent(ctx, c, audit.OpRefresh, rt.TenantID, u, u.Username, "")
	}
	tenantID, userID, next, err := r.Rotate(ctx, s.Client, refreshToken)
	if userErr != nil && errors.Is(err, userErr) {
		// Nothing was rotated; revoke as the refusal demands.
		if errors.Is(userErr, ErrUserDisabled) {
			uid := 0
			if rt, lerr := lookupRefresh(ctx, s.Client, refreshToken); lerr == nil && rt != nil {
				uid = rt.UserID
			}
			if rerr := r.RevokeAllForUser(ctx, s.Client, uid); rerr != nil {
				return nil, rerr
			}
		} else if rerr := r.RevokeFamilyOf(ctx, s.Client, refreshToken); rerr != nil {
			return nil, rerr
		}
		return nil, refreshErr(userErr)
	}
	if err != nil {
		return nil, err
	}
	access, exp, err := s.Tokens.Issue(userID, tenantID, family)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, RefreshToken: next, ExpiresAt: exp, UserID: userID, TenantID: tenantID}, nil
}

// Logout revokes the family of refreshToken when it is given and belongs to
// userID; otherwise every refresh token of userID (sign out everywhere).
// The access tokens of a revoked session stop working at once: the server
// checks the session with the user on every request.
func (s *Service) Logout(ctx context.Context, userID int, refreshToken string) error {
	r := s.refresher()
	sys := authz.SystemContext(ctx)
	return s.inTx(sys, func(c *ent.Client) error {
		u, err := c.User.Get(sys, userID)
		if err != nil {
			return fmt.Errorf("auth: load user: %w", err)
		}
		revoked := false
		if refreshToken != "" {
			rt, err := lookupRefresh(ctx, c, refreshToken)
			if err != nil {
				return err
			}
			if rt != nil && rt.UserID == userID {
				if err := revokeFamily(ctx, c, rt.Family, r.now()); err != nil {
					return err
				}
				revoked = true
			}
		}
		if !revoked {
			if err := r.RevokeAllForUser(ctx, c, userID); err != nil {
				return err
			}
		}
		return authEvent(ctx, c, audit.OpLogout, u.TenantID, u, u.Username, "")
	})
}

// ChangePassword replaces the password of userID after checking current, and
// revokes every refresh token of the user (other sessions must sign in
// again). Errors:
//   - BAD_USER_INPUT, Field "newPassword": shorter than MinPasswordLength
//     characters, or equal to the current password;
//   - BAD_USER_INPUT, Field "currentPassword", wrapping ErrWrongPassword:
//     current is wrong (counted as a failed sign-in by the throttle, so a
//     stolen access token cannot be used to guess the password);
//   - the throttle's error when the account is throttled;
//   - UNAUTHENTICATED when the user no longer exists or is disabled.
func (s *Service) ChangePassword(ctx context.Context, userID int, current, next string) error {
	sys := authz.SystemContext(ctx)
	u, err := s.Client.User.Get(sys, userID)
	switch {
	case ent.IsNotFound(err):
		return apperr.Unauth(apperr.ReasonTokenInvalid, msgSignIn, fmt.Errorf("user %d not found", userID))
	case err != nil:
		return fmt.Errorf("auth: load user: %w", err)
	case u.Status != user.StatusACTIVE:
		return apperr.Unauth(apperr.ReasonTokenRevoked, msgSignIn, fmt.Errorf("%w (user %d)", ErrUserDisabled, userID))
	}
	if n := utf8.RuneCountInString(next); n < MinPasswordLength {
		return apperr.Invalid("newPassword", fmt.Sprintf("the new password must be at least %d characters long", MinPasswordLength))
	}
	if next == current {
		return apperr.Invalid("newPassword", "the new password must differ from the current one")
	}
	var tenantCode string
	if s.Throttle != nil {
		t, err := s.Client.Tenant.Get(sys, u.TenantID)
		if err != nil {
			return fmt.Errorf("auth: load tenant: %w", err)
		}
		tenantCode = t.Code
		if err := s.Throttle.Check(ctx, s.Client, tenantCode, u.Username, ""); err != nil {
			return err
		}
	}
	ok := verifyOrDummy(u.PasswordHash, current)
	if s.Throttle != nil {
		if err := s.Throttle.Record(ctx, s.Client, tenantCode, u.Username, "", ok); err != nil {
			return err
		}
	}
	if !ok {
		return &apperr.Error{Code: apperr.BadUserInput, Field: "currentPassword",
			Message: "the current password is incorrect", Err: ErrWrongPassword}
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	tx, err := s.Client.Tx(sys)
	if err != nil {
		return fmt.Errorf("auth: begin password change: %w", err)
	}
	// The audit hook records the update as the one PASSWORD_CHANGE event
	// (the hash itself redacted), attributed to the signed-in user.
	if err := tx.User.UpdateOneID(userID).SetPasswordHash(hash).Exec(audit.WithOperation(sys, audit.OpPasswordChange)); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("auth: store password: %w", err)
	}
	if err := s.refresher().RevokeAllForUser(sys, tx.Client(), userID); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("auth: commit password change: %w", err)
	}
	return nil
}

// Authenticate verifies an access token, given bare or as an Authorization
// header value ("Bearer <token>"), and returns its claims. It checks the
// token only: the caller loads the user and their posts per request (a
// disabled user or removed post takes effect at once) and must check that
// the user belongs to Claims.TenantID.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Claims, error) {
	_ = ctx
	tok := strings.TrimSpace(bearer)
	if scheme, rest, found := strings.Cut(tok, " "); found && strings.EqualFold(scheme, "bearer") {
		tok = strings.TrimSpace(rest)
	} else if strings.EqualFold(tok, "bearer") {
		tok = ""
	}
	if tok == "" {
		return Claims{}, apperr.Unauth(apperr.ReasonTokenMissing, msgSignIn, ErrNoToken)
	}
	return s.Tokens.Verify(tok)
}

// newSession issues an access token and a refresh token (in family, or a new
// one when family is "").
func (s *Service) newSession(ctx context.Context, c *ent.Client, tenantID, userID int, family string) (*Session, error) {
	if family == "" {
		f, err := randomString(16)
		if err != nil {
			return nil, err
		}
		family = f
	}
	access, exp, err := s.Tokens.Issue(userID, tenantID, family)
	if err != nil {
		return nil, err
	}
	refresh, err := s.refresher().IssueRefresh(ctx, c, tenantID, userID, family)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, RefreshToken: refresh, ExpiresAt: exp, UserID: userID, TenantID: tenantID}, nil
}
