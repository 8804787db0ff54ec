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
const ReasonThrottled = apperr.ReasonLoginThrottled

// ErrThrottled is the internal cause of a throttled sign-in.
var ErrThrottled = errors.New("login throttled")

// maxKeyLen bounds the stored tenant code, username and address, so that an
// attacker cannot fill the table with huge strings.
const maxKeyLen = 128

// Limits are the failures a Throttle allows within Window.
type Limits struct {
	// PerAccountAddress bounds the failures of one account (tenant code +
	// username) from one client address.
	PerAccountAddress int
	// PerAccount bounds the failures of one account from all addresses:
	// higher, so that guessing from one place does not lock the account
	// everywhere at once, yet distributed guessing stays bounded.
	PerAccount int
	// PerAddress is the ceiling for one address over all accounts: much
	// higher, so that an office behind one NAT is not locked out by a few
	// colleagues' typos, yet one address cannot spray guesses.
	PerAddress int
	Window     time.Duration
}

// Throttle limits failed sign-ins per account and address, per account and
// per address (see Limits) within a sliding window. It counts rows of the
// LoginAttempt table, so every replica sharing the database shares the limits.
//
// Choices:
//   - A successful sign-in resets the account's counters (only failures after
//     the account's latest success count) but not the address counter, so
//     that one valid account cannot be used to keep spraying guesses at others.
//   - Attempts refused by the throttle itself are not recorded (the caller's
//     audit log has them through ErrThrottled): recording them would let an
//     attacker keep a victim's account locked forever; not recording them
//     still bounds the guesses per window.
//   - An empty address is not counted per address (it would lump together
//     every client whose address is unknown).
//   - Unknown accounts are counted like real ones, so the throttle reveals
//     nothing about which usernames exist.
//   - Rows older than the window are pruned from Record, at most once per
//     window per process.
type Throttle struct {
	limits Limits
	now    func() time.Time

	lastPrune atomic.Int64 // unix nanoseconds
}

// NewThrottle returns a throttle with limits; unset limits default to 5
// failures per account and address, 4 times that per account, 20 times that
// per address, within 15 minutes.
func NewThrottle(limits Limits) *Throttle {
	if limits.PerAccountAddress <= 0 {
		limits.PerAccountAddress = 5
	}
	if limits.PerAccount <= 0 {
		limits.PerAccount = 4 * limits.PerAccountAddress
	}
	if limits.PerAddress <= 0 {
		limits.PerAddress = 20 * limits.PerAccountAddress
	}
	if limits.Window <= 0 {
		limits.Window = 15 * time.Minute
	}
	return &Throttle{limits: limits, now: time.Now}
}

// NewThrottleFromConfig returns the throttle of cfg (LoginMaxFailures,
// LoginMaxAccountFailures, LoginMaxAddressFailures, LoginWindow).
func NewThrottleFromConfig(cfg config.Config) *Throttle {
	return NewThrottle(Limits{PerAccountAddress: cfg.LoginMaxFailures, PerAccount: cfg.LoginMaxAccountFailures,
		PerAddress: cfg.LoginMaxAddressFailures, Window: cfg.LoginWindow})
}

// Check returns an UNAUTHENTICATED *apperr.Error with Reason LOGIN_THROTTLED,
// wrapping ErrThrottled, when the account from this address, the account or
// the address has reached its failure limit within the window; nil otherwise.
func (t *Throttle) Check(ctx context.Context, client *ent.Client, tenantCode, username, ip string) error {
	ctx = authz.SystemContext(ctx)
	tenantCode, username, ip = clip(tenantCode), clip(username), clip(ip)
	now := t.now().UTC()
	since := now.Add(-t.limits.Window)

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
	account := []predicate.LoginAttempt{loginattempt.TenantCode(tenantCode), loginattempt.Username(username)}
	retry, err := t.lockedUntil(ctx, client, accountSince, t.limits.PerAccount, account...)
	if err != nil {
		return err
	}
	later := func(until time.Time, err error) error {
		if err == nil && until.After(retry) {
			retry = until
		}
		return err
	}
	if err := later(t.lockedUntil(ctx, client, accountSince, t.limits.PerAccountAddress,
		append(account, loginattempt.ClientIP(ip))...)); err != nil {
		return err
	}
	if ip != "" {
		if err := later(t.lockedUntil(ctx, client, since, t.limits.PerAddress, loginattempt.ClientIP(ip))); err != nil {
			return err
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
func (t *Throttle) lockedUntil(ctx context.Context, client *ent.Client, since time.Time, max int, preds ...predicate.LoginAttempt) (time.Time, error) {
	preds = append(preds, loginattempt.Success(false), loginattempt.CreatedAtGT(since))
	times, err := client.LoginAttempt.Query().
		Where(preds...).
		Order(ent.Desc(loginattempt.FieldCreatedAt)).
		Limit(max).
		Select(loginattempt.FieldCreatedAt).
		All(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: count failed logins: %w", err)
	}
	if len(times) < max {
		return time.Time{}, nil
	}
	return times[len(times)-1].CreatedAt.Add(t.limits.Window), nil
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
	if now.UnixNano()-last >= int64(t.limits.Window) && t.lastPrune.CompareAndSwap(last, now.UnixNano()) {
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
		Where(loginattempt.CreatedAtLT(t.now().UTC().Add(-t.limits.Window))).
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
