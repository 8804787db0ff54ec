package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/notify"
)

func TestWebhookSignsWhatItSends(t *testing.T) {
	secret := []byte("a secret of at least thirty-two characters")
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	var got struct {
		body             []byte
		stamp, signature string
	}
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.stamp, got.signature = r.Header.Get(notify.TimestampHeader), r.Header.Get(notify.SignatureHeader)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	w := &notify.Webhook{URL: srv.URL, Secret: secret, Now: func() time.Time { return now }}
	p := notify.Payload{ID: "n1", Kind: "HAZARD_OVERDUE", Why: "late", DueAt: now}

	t.Run("the receiver verifies the signature of the body it got", func(t *testing.T) {
		require.NoError(t, w.Deliver(context.Background(), p))
		require.True(t, notify.Verify(secret, got.stamp, got.signature, got.body, now, 5*time.Minute))
	})
	t.Run("a changed body, another secret or an old timestamp fails", func(t *testing.T) {
		require.False(t, notify.Verify(secret, got.stamp, got.signature, append(got.body, ' '), now, 5*time.Minute))
		require.False(t, notify.Verify([]byte("another secret"), got.stamp, got.signature, got.body, now, 5*time.Minute))
		require.False(t, notify.Verify(secret, got.stamp, got.signature, got.body, now.Add(time.Hour), 5*time.Minute))
	})
	t.Run("an answer other than 2xx is an error, to be retried", func(t *testing.T) {
		status = http.StatusBadGateway
		require.Error(t, w.Deliver(context.Background(), p))
	})
}

func TestPlanNotifiesNobodyWithoutDues(t *testing.T) {
	rs, err := notify.Plan(context.Background(), nil, nil, nil, time.Now(), time.Hour, nil)
	require.NoError(t, err)
	require.Empty(t, rs)
}
