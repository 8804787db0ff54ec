package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/signingkey"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

// replicaConfig is the configuration of one replica: its own data
// directory, and the key secret given (nil: none).
func replicaConfig(t *testing.T, secret []byte) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	if secret != nil {
		cfg.JWTKeySecret = base64.StdEncoding.EncodeToString(secret)
	}
	return cfg
}

func openReplica(t *testing.T, d *db.DB, cfg config.Config, now func() time.Time) (*KeySet, error) {
	return OpenKeySet(context.Background(), cfg, d.Client, d.Dialect, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestSharedSigningIdentity starts replicas on one database, as a deployment
// behind a load balancer does.
func TestSharedSigningIdentity(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		cfg := replicaConfig(t, secret)
		a, err := openReplica(t, d, cfg, now)
		require.NoError(t, err)
		b, err := openReplica(t, d, replicaConfig(t, secret), now)
		require.NoError(t, err)
		tokensA := NewTokens(a, cfg).WithClock(now)
		tokensB := NewTokens(b, cfg).WithClock(now)

		t.Run("a token minted on one replica is accepted on the other", func(t *testing.T) {
			require.Equal(t, a.SigningKID(), b.SigningKID())
			tok, _, err := tokensA.Issue(1, 1, "s1")
			require.NoError(t, err)
			_, err = tokensB.Verify(tok)
			require.NoError(t, err)
			require.Equal(t, a.DeriveKey("file URLs"), b.DeriveKey("file URLs"), "file URLs signed on one replica work on the other")
		})

		t.Run("a replica with another key secret refuses to start", func(t *testing.T) {
			_, err := openReplica(t, d, replicaConfig(t, []byte("another secret of thirty-two b..")), now)
			require.ErrorIs(t, err, ErrKeyMismatch)
			require.Contains(t, err.Error(), "same --jwt-key-secret-file")
		})

		before, _, err := tokensA.Issue(1, 1, "s1")
		require.NoError(t, err)
		oldKID := a.SigningKID()
		_, err = RotateWithSecret(context.Background(), d.Client, secret, cfg.AccessTTL, clock)
		require.NoError(t, err)

		t.Run("after a rotation the new key signs and tokens of the old one are still accepted", func(t *testing.T) {
			// A token with the new kid makes B reread the keys at once.
			a.store.refresh(context.Background(), a, 0, true)
			require.NotEqual(t, oldKID, a.SigningKID())
			after, _, err := tokensA.Issue(1, 1, "s1")
			require.NoError(t, err)
			_, err = tokensB.Verify(after)
			require.NoError(t, err, "the other replica learns the new key from the token")
			_, err = tokensB.Verify(before)
			require.NoError(t, err)
			require.Equal(t, a.SigningKID(), b.SigningKID())
		})

		t.Run("after the retirement window tokens of the old key are refused as invalid", func(t *testing.T) {
			clock = clock.Add(RetirementWindow(cfg.AccessTTL))
			_, err := tokensB.Verify(before)
			e, ok := apperr.As(err)
			require.True(t, ok)
			require.Equal(t, apperr.ReasonTokenInvalid, e.Reason)
		})
	})
}

// TestConfiguredKeysOnPostgreSQL checks that replicas with keys of their own
// notice one another on PostgreSQL.
func TestConfiguredKeysOnPostgreSQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != dialect.Postgres {
			t.Skip("an embedded database has one server")
		}
		now := time.Now
		first := replicaConfig(t, nil)
		a, err := openReplica(t, d, first, now)
		require.NoError(t, err)

		t.Run("a second replica generating its own key refuses to start", func(t *testing.T) {
			_, err := openReplica(t, d, replicaConfig(t, nil), now)
			require.ErrorIs(t, err, ErrKeyMismatch)
			require.Contains(t, err.Error(), a.SigningKID())
		})

		t.Run("a replica given the same key starts", func(t *testing.T) {
			same := replicaConfig(t, nil)
			same.JWTSigningKeyFile = first.DataDir + "/keys/signing.pem"
			_, err := openReplica(t, d, same, now)
			require.NoError(t, err)
		})

		t.Run("a new key that also verifies the old one takes over", func(t *testing.T) {
			next := replicaConfig(t, nil)
			next.JWTVerifyKeyFiles = []string{first.DataDir + "/keys/signing.pem"}
			b, err := openReplica(t, d, next, now)
			require.NoError(t, err)
			_, err = openReplica(t, d, first, now)
			require.True(t, errors.Is(err, ErrKeyMismatch), "the old key alone no longer starts: %v", err)
			require.NotEqual(t, a.SigningKID(), b.SigningKID())
		})
	})
}

func TestSealedTellsAKeyKeptInTheDatabaseFromAConfiguredOne(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		d.Client.SigningKey.Create().SetKid("configured").SetPublicKey([]byte{1}).SetCreatedAt(time.Now()).ExecX(ctx)
		d.Client.SigningKey.Create().SetKid("sealed").SetPublicKey([]byte{2}).SetSealedPrivateKey([]byte("s")).SetCreatedAt(time.Now()).ExecX(ctx)
		keys := d.Client.SigningKey.Query().Order(ent.Asc(signingkey.FieldID)).AllX(ctx)
		require.False(t, Sealed(keys[0]), "a NULL sealed key, which ent reads as a pointer to no bytes")
		require.True(t, Sealed(keys[1]))
	})
}
