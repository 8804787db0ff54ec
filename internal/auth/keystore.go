package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/signingkey"
	"github.com/dutychain/dutychain/internal/config"
)

// KeyRefreshPeriod is how often a replica rereads the keys kept in the
// database, so that a rotation reaches it.
const KeyRefreshPeriod = 30 * time.Second

// ErrKeyMismatch is why a replica refuses to start when its signing key is
// not the deployment's.
var ErrKeyMismatch = errors.New("auth: signing key mismatch")

// RetirementWindow is how long a key that stopped signing still verifies:
// the lifetime of the last token it signed, the clock leeway, and the time
// a replica may take to notice the rotation.
func RetirementWindow(accessTTL time.Duration) time.Duration {
	return accessTTL + DefaultLeeway + KeyRefreshPeriod
}

// OpenKeySet returns the signing identity of cfg on the database of client:
//
//   - with a key secret (config.KeySecret) and no signing key configured,
//     the keys kept in the signing_keys table, sealed with the secret and
//     generated at the first start: every replica shares them and rereads
//     them, so `dutychain keys rotate` reaches all. A secret that does not
//     open the stored key is ErrKeyMismatch.
//   - otherwise LoadKeySet's key (file, environment or data directory). On
//     PostgreSQL its public half is recorded in signing_keys, and a replica
//     whose key is not the recorded one refuses to start with ErrKeyMismatch
//     unless it also verifies the recorded key (a rotation by
//     configuration: it then becomes the recorded key).
func OpenKeySet(ctx context.Context, cfg config.Config, client *ent.Client, dialectName string, now func() time.Time, log *slog.Logger) (*KeySet, error) {
	secret, err := cfg.KeySecret()
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	if secret == nil || cfg.JWTSigningKeyFile != "" || hasEnvSigningKey() {
		ks, err := LoadKeySet(cfg)
		if err != nil {
			return nil, err
		}
		if dialectName == dialect.Postgres {
			if err := recordConfiguredKey(ctx, client, ks, RetirementWindow(cfg.AccessTTL), now()); err != nil {
				return nil, err
			}
			if secret == nil && cfg.JWTSigningKeyFile == "" && !hasEnvSigningKey() {
				log.Warn("the token signing key is kept in this replica's data directory: every other replica must be given the same key, "+
					"or set --jwt-key-secret-file / $"+config.EnvJWTKeySecret+" to keep it in the database (docs/DEPLOY.md)", "kid", ks.SigningKID())
			}
		}
		return ks, nil
	}
	store := &keyStore{client: client, aead: sealer(secret), window: RetirementWindow(cfg.AccessTTL), now: now, log: log}
	st, err := store.open(ctx)
	if err != nil {
		return nil, err
	}
	ks := &KeySet{derivedBase: derive(secret, "derived keys"), store: store}
	ks.state.Store(st)
	store.loadedAt.Store(time.Now().UnixNano())
	return ks, nil
}

func hasEnvSigningKey() bool { return os.Getenv(EnvSigningKey) != "" }

// keyStore reads and writes the signing_keys table.
type keyStore struct {
	client *ent.Client
	aead   cipher.AEAD
	window time.Duration
	now    func() time.Time
	log    *slog.Logger
	// loadedAt is when the keys were last read (wall clock, unix ns).
	loadedAt atomic.Int64
	// unknownAt is when a token with an unknown kid last made the keys be
	// reread (wall clock, unix ns): at most once a second, so that forged
	// kids cannot make every request read the database.
	unknownAt atomic.Int64
	mu        sync.Mutex
}

// mayRereadForUnknown reports whether a token with an unknown kid may make
// the keys be reread now, and if so records it.
func (s *keyStore) mayRereadForUnknown() bool {
	last := s.unknownAt.Load()
	now := time.Now().UnixNano()
	return time.Duration(now-last) >= time.Second && s.unknownAt.CompareAndSwap(last, now)
}

// refresh rereads the keys into k when the last reading is older than
// minAge; wait says whether to wait for a refresh already under way.
func (s *keyStore) refresh(ctx context.Context, k *KeySet, minAge time.Duration, wait bool) {
	if time.Since(time.Unix(0, s.loadedAt.Load())) < minAge {
		return
	}
	if wait {
		s.mu.Lock()
	} else if !s.mu.TryLock() {
		return
	}
	defer s.mu.Unlock()
	if time.Since(time.Unix(0, s.loadedAt.Load())) < minAge {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := s.load(ctx)
	s.loadedAt.Store(time.Now().UnixNano())
	if err != nil {
		s.log.Warn("rereading the signing keys failed; keeping the ones read before", "err", err)
		return
	}
	k.state.Store(st)
}

// open reads the keys, first creating the deployment's signing key when the
// database has none, or none sealed with a secret.
func (s *keyStore) open(ctx context.Context) (*keyState, error) {
	st, err := s.load(ctx)
	if err == nil || !errors.Is(err, errNoSealedKey) {
		return st, err
	}
	if _, err := Rotate(ctx, s.client, s.aead, s.window, s.now()); err != nil {
		return nil, err
	}
	return s.load(ctx)
}

var errNoSealedKey = errors.New("auth: the database holds no signing key sealed with a secret")

// Sealed reports whether k's private half is kept in the database, sealed
// with the deployment's secret, rather than configured on each replica. ent
// reads a NULL bytes column as a pointer to no bytes, not a nil pointer.
func Sealed(k *ent.SigningKey) bool {
	return k.SealedPrivateKey != nil && len(*k.SealedPrivateKey) > 0
}

// load reads every key that still verifies; the newest one not retired
// signs.
func (s *keyStore) load(ctx context.Context) (*keyState, error) {
	now := s.now()
	rows, err := s.client.SigningKey.Query().
		Where(signingkey.Or(signingkey.RetiredAtIsNil(), signingkey.VerifyUntilGT(now))).
		Order(ent.Desc(signingkey.FieldID)).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("auth: read signing keys: %w", err)
	}
	var st *keyState
	for _, r := range rows {
		if r.RetiredAt == nil && st == nil {
			if !Sealed(r) {
				return nil, errNoSealedKey
			}
			seed, err := unseal(s.aead, r.Kid, *r.SealedPrivateKey)
			if err != nil {
				return nil, fmt.Errorf("%w: the key secret of this replica does not open the deployment's signing key %s (created %s): "+
					"every replica must be configured with the same --jwt-key-secret-file or $%s", ErrKeyMismatch, r.Kid, r.CreatedAt.Format(time.RFC3339), config.EnvJWTKeySecret)
			}
			if st, err = newKeyState(ed25519.NewKeyFromSeed(seed)); err != nil {
				return nil, err
			}
		}
	}
	if st == nil {
		return nil, errNoSealedKey
	}
	for _, r := range rows {
		vk := verifyKey{pub: ed25519.PublicKey(r.PublicKey)}
		if r.VerifyUntil != nil {
			vk.until = *r.VerifyUntil
		}
		if r.Kid != st.signingKID {
			st.verify[r.Kid] = vk
		}
	}
	return st, nil
}

// Rotate makes a new signing key, sealed with aead, the deployment's: every
// key that signed until now is retired and still verifies for window; keys
// whose window is over are deleted. It returns the new key id. Replicas pick
// the new key up within KeyRefreshPeriod, or at once when they meet a token
// signed with it.
func Rotate(ctx context.Context, client *ent.Client, aead cipher.AEAD, window time.Duration, now time.Time) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("auth: generate key: %w", err)
	}
	kid := KeyID(pub)
	sealed, err := seal(aead, kid, priv.Seed())
	if err != nil {
		return "", err
	}
	err = inTx(ctx, client, func(ctx context.Context, tx *ent.Tx) error {
		if err := retireAll(ctx, tx, now, window); err != nil {
			return err
		}
		return tx.SigningKey.Create().SetKid(kid).SetPublicKey(pub).SetSealedPrivateKey(sealed).SetCreatedAt(now).Exec(ctx)
	})
	if err != nil {
		return "", fmt.Errorf("auth: rotate the signing key: %w", err)
	}
	return kid, nil
}

// RotateWithSecret is Rotate with the key secret of the configuration.
func RotateWithSecret(ctx context.Context, client *ent.Client, secret []byte, accessTTL time.Duration, now time.Time) (string, error) {
	return Rotate(ctx, client, sealer(secret), RetirementWindow(accessTTL), now)
}

// retireAll retires every signing key and deletes the keys whose window
// is over.
func retireAll(ctx context.Context, tx *ent.Tx, now time.Time, window time.Duration) error {
	if _, err := tx.SigningKey.Delete().Where(signingkey.VerifyUntilLTE(now)).Exec(ctx); err != nil {
		return err
	}
	return tx.SigningKey.Update().Where(signingkey.RetiredAtIsNil()).SetRetiredAt(now).SetVerifyUntil(now.Add(window)).Exec(ctx)
}

// recordConfiguredKey records the public half of a configured signing key
// as the deployment's, or refuses it (see OpenKeySet).
func recordConfiguredKey(ctx context.Context, client *ent.Client, ks *KeySet, window time.Duration, now time.Time) error {
	ours := ks.SigningKID()
	return inTx(ctx, client, func(ctx context.Context, tx *ent.Tx) error {
		active, err := tx.SigningKey.Query().Where(signingkey.RetiredAtIsNil()).Order(ent.Desc(signingkey.FieldID)).First(ctx)
		switch {
		case ent.IsNotFound(err):
		case err != nil:
			return fmt.Errorf("auth: read signing keys: %w", err)
		case active.Kid == ours:
			return nil
		case !ks.verifies(active.Kid):
			return fmt.Errorf("%w: this replica signs with key %s but the deployment signs with key %s (recorded %s): "+
				"one would refuse the other's tokens. Give every replica the same key (--jwt-signing-key or $%s), or let them share "+
				"one kept in the database (--jwt-key-secret-file or $%s); to change keys, list the old one in --jwt-verify-keys "+
				"of the replicas with the new one (docs/DEPLOY.md)",
				ErrKeyMismatch, ours, active.Kid, active.CreatedAt.Format(time.RFC3339), EnvSigningKey, config.EnvJWTKeySecret)
		}
		if err := retireAll(ctx, tx, now, window); err != nil {
			return fmt.Errorf("auth: retire the old signing key: %w", err)
		}
		n, err := tx.SigningKey.Update().Where(signingkey.Kid(ours)).ClearRetiredAt().ClearVerifyUntil().Save(ctx)
		if err != nil || n > 0 {
			return err
		}
		return tx.SigningKey.Create().SetKid(ours).SetPublicKey(ks.SigningPublicKey()).SetCreatedAt(now).Exec(ctx)
	})
}

// verifies reports whether k accepts tokens signed with kid.
func (k *KeySet) verifies(kid string) bool {
	_, ok := k.state.Load().verify[kid]
	return ok
}

// inTx runs fn in a transaction with the system's rights: the table is
// internal.
func inTx(ctx context.Context, client *ent.Client, fn func(context.Context, *ent.Tx) error) error {
	ctx = authz.SystemContext(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// derive returns HMAC-SHA256(secret, purpose).
func derive(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("dutychain key secret\x00" + purpose))
	return mac.Sum(nil)
}

// sealer returns the AES-256-GCM cipher that seals private keys under a key
// derived from secret.
func sealer(secret []byte) cipher.AEAD {
	block, err := aes.NewCipher(derive(secret, "signing key sealing"))
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// seal encrypts seed, bound to its key id: nonce ‖ ciphertext.
func seal(aead cipher.AEAD, kid string, seed []byte) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: read random: %w", err)
	}
	return aead.Seal(nonce, nonce, seed, []byte(kid)), nil
}

func unseal(aead cipher.AEAD, kid string, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed key too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(kid))
}
