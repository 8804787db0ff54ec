package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/gid"
)

// Deliverer sends a stored notification on, to a gateway (SMS, WeChat)
// that reaches its recipient. An error means "not delivered, try again":
// the delivery job retries it with backoff.
type Deliverer interface {
	Deliver(ctx context.Context, p Payload) error
}

// Payload is the JSON body of a delivery (see README, "Webhook").
type Payload struct {
	// ID is the notification's global id; a receiver drops repeats by it.
	ID string `json:"id"`
	// Tenant is the tenant's id.
	Tenant int `json:"tenant"`
	// UserID is the recipient's global id; Username and Phone reach them.
	UserID   string `json:"userId"`
	Username string `json:"username"`
	Phone    string `json:"phone,omitempty"`
	// Kind is the NotificationKind.
	Kind string `json:"kind"`
	// ObjectID is the global id of the record it is about.
	ObjectID   string    `json:"objectId"`
	Why        string    `json:"why"`
	DueAt      time.Time `json:"dueAt"`
	Escalation bool      `json:"escalation"`
	CreatedAt  time.Time `json:"createdAt"`
}

// NewPayload is the payload of n for its recipient u.
func NewPayload(n *ent.Notification, u *ent.User) Payload {
	return Payload{ID: gid.Encode(n.ID), Tenant: n.TenantID, UserID: gid.Encode(u.ID), Username: u.Username, Phone: u.Phone,
		Kind: string(n.Kind), ObjectID: gid.Encode(n.ObjectID), Why: n.Why, DueAt: n.DueAt.UTC(), Escalation: n.Escalation,
		CreatedAt: n.CreatedAt.UTC()}
}

// The headers of a webhook request.
const (
	// SignatureHeader is "sha256=" and the hex HMAC-SHA256, keyed by the
	// secret, of the timestamp, a dot and the body.
	SignatureHeader = "X-Dutychain-Signature"
	// TimestampHeader is the Unix time (seconds) of the request.
	TimestampHeader = "X-Dutychain-Timestamp"
)

// Sign is the SignatureHeader value of body sent at timestamp.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature signs body at timestamp with secret,
// and timestamp is within tolerance of now (a replayed old request fails).
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// Webhook delivers by POSTing the payload as JSON to URL, signed.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
	Now    func() time.Time
}

// Deliver posts p; any answer but 2xx is an error (retried).
func (w *Webhook) Deliver(ctx context.Context, p Payload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("webhook: encode: %w", err)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(w.Secret, ts, body))
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: the receiver answered %s", resp.Status)
	}
	return nil
}
