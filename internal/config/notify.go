package config

import (
	"fmt"
	"net/url"
	"time"
)

// Notifications are the settings of reminders, escalation and their
// delivery.
type Notifications struct {
	// ScanPeriod is how often the reminder job looks for what is due.
	ScanPeriod time.Duration
	// EscalateAfter is how long a record stays overdue before the unit
	// above (or the supervising department) is notified too.
	EscalateAfter time.Duration
	// WebhookURL receives every new notification as a signed POST; empty:
	// notifications are only stored.
	WebhookURL string
	// WebhookSecret keys the HMAC-SHA256 signature of each webhook body.
	WebhookSecret string
}

// DefaultNotifications are the built-in notification settings.
var DefaultNotifications = Notifications{ScanPeriod: time.Hour, EscalateAfter: 3 * 24 * time.Hour}

// bindNotifications registers the notification settings.
func (c *Config) bindNotifications(b *binder) {
	n := &c.Notifications
	b.duration(&n.ScanPeriod, "reminder-period", "DUTYCHAIN_REMINDER_PERIOD", "how often the reminder job looks for records due or overdue")
	b.duration(&n.EscalateAfter, "escalate-after", "DUTYCHAIN_ESCALATE_AFTER", "how long a record stays overdue before the unit above or the supervising department is notified")
	b.str(&n.WebhookURL, "webhook-url", "DUTYCHAIN_WEBHOOK_URL", "URL that receives each notification as a signed JSON POST (empty: none)")
	b.str(&n.WebhookSecret, "webhook-secret", "DUTYCHAIN_WEBHOOK_SECRET", "secret (at least 32 characters) of the webhook's HMAC-SHA256 signature")
}

// verifyNotifications checks the notification settings.
func (c *Config) verifyNotifications() []error {
	n := c.Notifications
	var errs []error
	if n.ScanPeriod < time.Minute || n.ScanPeriod > 24*time.Hour {
		errs = append(errs, fmt.Errorf("reminder-period %s: want between 1m and 24h", n.ScanPeriod))
	}
	if n.EscalateAfter < time.Hour || n.EscalateAfter > 90*24*time.Hour {
		errs = append(errs, fmt.Errorf("escalate-after %s: want between 1h and 2160h (90 days)", n.EscalateAfter))
	}
	if n.WebhookURL != "" {
		if u, err := url.Parse(n.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("webhook-url: want an http:// or https:// URL"))
		}
		if len(n.WebhookSecret) < 32 {
			errs = append(errs, fmt.Errorf("webhook-secret: want at least 32 characters when webhook-url is set (got %d)", len(n.WebhookSecret)))
		}
	}
	return errs
}
