package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/loginattempt"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
)

// ReasonThrottled is the apperr Reason of a throttled sign-in.
const ReasonThrottled = "LOGIN_THROTTLED"

// ErrThrottled is the internal cause of a throttled sign-in.
var ErrThrottled = errors.New("login throttled")

// maxKeyLen bounds the stored tenant code, username and address, so that an
// attacker cannot fill the table with huge strings.
const maxKeyLen = 128

// Throttle limits failed sign-ins, per account (tenant code + username) and
// per client address, to max within a sliding window. It counts rows of the
// LoginAttempt table, so every replica sharing the database shares the limits.
//
// Choices:
//   - A successful sign-in resets the account counter (only failures after the
//     account's latest success count) but not the address counter, so that one
//     valid account cannot be used to keep spraying guesses at others.
//   - Attempts refused by the throttle itself are not recorded (the caller's
//     audit log has them through ErrThrottled): recording them would let an
//     attacker keep a victim's account locked forever; not recording them
//     still allows at most max guesses per window.
//   - An empty address is not counted per address (it would lump together
//     every client whose address is unknown).
//   - Unknown accounts are counted like real ones, so the throttle reveals
//     nothing about which usernames exist.
//   - Rows older than the window are pruned from Record, at most once per
//     window per process.
type Throttle struct {
	max    int
	window time.Duration
	now    func() time.Time

	lastPrune atomic.Int64 // unix nanoseconds
}

// NewThrottle returns a throttle allowing max failures per window.
func NewThrottle(max int, window time.Duration) *Throttle {
	if max <= 0 {
		max = 5
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	return &Throttle{max: max, window: window, now: time.Now}
}

// NewThrottleFromConfig returns the throttle of cfg (LoginMaxFailures,
// LoginWindow).
func NewThrottleFromConfig(cfg config.Config) *Throttle {
	return NewThrottle(cfg.LoginMaxFailures, cfg.LoginWindow)
}

// Check returns an UNAUTHENTICATED *apperr.Error with Reason LOGIN_THROTTLED,
// wrapping ErrThrottled, when the account or the address has reached the
// failure limit within the window; nil otherwise.
func (t *Throttle) Check(ctx context.Context, client *ent.Client, tenantCode, username, ip string) error {
	ctx = authz.SystemContext(ctx)
	tenantCode, username, ip = clip(tenantCode), clip(username), clip(ip)
	now := t.now().UTC()
	since := now.Add(-t.window)

	// Account: failures after the latest success within the window.
	accountSince := since
	last, err := client.LoginAttempt.Query().
		Where(loginattempt.TenantCode(tenantCode), loginattempt.Username(username),
			loginattempt.Success(true), loginattempt.CreatedAtGTE(since)).
		Order(ent.Desc(loginattempt.FieldCreatedAt)).
		First(ctx)
	switch {
	case err == nil:
		accountSince = last.CreatedAt
	case !ent.IsNotFound(err):
		return fmt.Errorf("auth: check login throttle: %w", err)
	}
	retry, err := t.lockedUntil(ctx, client, accountSince, loginattempt.TenantCode(tenantCode), loginattempt.Username(username))
	if err != nil {
		return err
	}
	if ip != "" {
		ipRetry, err := t.lockedUntil(ctx, client, since, loginattempt.ClientIP(ip))
		if err != nil {
			return err
		}
		if ipRetry.After(retry) {
			retry = ipRetry
		}
	}
	if retry.IsZero() || !retry.After(now) {
		return nil
	}
	minutes := int(math.Ceil(retry.Sub(now).Minutes()))
	if minutes < 1 {
		minutes = 1
	}
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return &apperr.Error{
		Code:    apperr.Unauthenticated,
		Message: fmt.Sprintf("too many failed sign-in attempts; try again in %d %s", minutes, unit),
		Reason:  ReasonThrottled,
		Err:     fmt.Errorf("%w until %s", ErrThrottled, retry.UTC().Format(time.RFC3339)),
	}
}

// lockedUntil returns when the failures matching preds since since drop below
// max (the max-th newest failure leaves the window), or zero when they are
// already below max.
func (t *Throttle) lockedUntil(ctx context.Context, client *ent.Client, since time.Time, preds ...predicate.LoginAttempt) (time.Time, error) {
	preds = append(preds, loginattempt.Success(false), loginattempt.CreatedAtGT(since))
	times, err := client.LoginAttempt.Query().
		Where(preds...).
		Order(ent.Desc(loginattempt.FieldCreatedAt)).
		Limit(t.max).
		Select(loginattempt.FieldCreatedAt).
		All(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: count failed logins: %w", err)
	}
	if len(times) < t.max {
		return time.Time{}, nil
	}
	return times[len(times)-1].CreatedAt.Add(t.window), nil
}

// Record stores one sign-in attempt and, at most once per window, prunes the
// attempts older than the window.
func (t *Throttle) Record(ctx context.Context, client *ent.Client, tenantCode, username, ip string, success bool) error {
	ctx = authz.SystemContext(ctx)
	now := t.now().UTC()
	err := client.LoginAttempt.Create().
		SetTenantCode(clip(tenantCode)).
		SetUsername(clip(username)).
		SetClientIP(clip(ip)).
		SetSuccess(success).
		SetCreatedAt(now).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: record login attempt: %w", err)
	}
	last := t.lastPrune.Load()
	if now.UnixNano()-last >= int64(t.window) && t.lastPrune.CompareAndSwap(last, now.UnixNano()) {
		// Housekeeping: a failure must not fail the sign-in; retry next time.
		if _, err := t.Prune(ctx, client); err != nil {
			t.lastPrune.Store(last)
		}
	}
	return nil
}

// Prune deletes the attempts older than the window and returns how many.
func (t *Throttle) Prune(ctx context.Context, client *ent.Client) (int, error) {
	n, err := client.LoginAttempt.Delete().
		Where(loginattempt.CreatedAtLT(t.now().UTC().Add(-t.window))).
		Exec(authz.SystemContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("auth: prune login attempts: %w", err)
	}
	return n, nil
}

// clip makes s valid UTF-8 (PostgreSQL rejects anything else) and shortens
// it to at most maxKeyLen bytes without splitting a character.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxKeyLen {
		return s
	}
	cut := maxKeyLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
