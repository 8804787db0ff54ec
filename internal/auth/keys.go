package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/dutychain/dutychain/internal/config"
)

// EnvSigningKey names the environment variable that may hold the signing key
// as PEM text (PKCS#8 Ed25519), an alternative to a key file.
const EnvSigningKey = "DUTYCHAIN_JWT_SIGNING_KEY"

// kidBytes is how many bytes of SHA-256(public key) form a key id.
const kidBytes = 12

// KeySet holds the Ed25519 key that signs access tokens and every public key
// accepted when verifying them, by key id. The signing key's own public key is
// always among the verification keys; keys listed in addition are older (or
// upcoming) keys kept for rotation. A KeySet kept in the database (see
// OpenKeySet) rereads the keys now and then, so that a rotation reaches every
// replica; any KeySet is safe for concurrent use.
type KeySet struct {
	state atomic.Pointer[keyState]
	// derivedBase is the secret DeriveKey derives from.
	derivedBase []byte
	// store, when set, is where the keys are kept and reread from.
	store *keyStore
}

// keyState is one reading of the keys.
type keyState struct {
	signing    ed25519.PrivateKey
	signingKID string
	verify     map[string]verifyKey
}

// verifyKey is a public key accepted for verification until until (zero:
// without end).
type verifyKey struct {
	pub   ed25519.PublicKey
	until time.Time
}

// KeyID returns the key id of pub: base64url (unpadded) of the first 12 bytes
// of SHA-256 of the raw public key. It is stable across restarts and replicas.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:kidBytes])
}

// NewKeySet returns a KeySet signing with signing and verifying with its
// public key and the extra keys given.
func NewKeySet(signing ed25519.PrivateKey, verify ...ed25519.PublicKey) (*KeySet, error) {
	st, err := newKeyState(signing)
	if err != nil {
		return nil, err
	}
	for _, k := range verify {
		if len(k) != ed25519.PublicKeySize {
			return nil, errors.New("auth: verification key is not an Ed25519 public key")
		}
		st.verify[KeyID(k)] = verifyKey{pub: k}
	}
	ks := &KeySet{derivedBase: signing.Seed()}
	ks.state.Store(st)
	return ks, nil
}

func newKeyState(signing ed25519.PrivateKey) (*keyState, error) {
	if len(signing) != ed25519.PrivateKeySize {
		return nil, errors.New("auth: signing key is not an Ed25519 private key")
	}
	pub, ok := signing.Public().(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("auth: signing key has no Ed25519 public key")
	}
	st := &keyState{signing: signing, signingKID: KeyID(pub), verify: map[string]verifyKey{}}
	st.verify[st.signingKID] = verifyKey{pub: pub}
	return st, nil
}

// current returns the keys, reread first when a kept KeySet's reading is old.
func (k *KeySet) current() *keyState {
	if k.store != nil {
		k.store.refresh(context.Background(), k, KeyRefreshPeriod, false)
	}
	return k.state.Load()
}

// SigningKID returns the key id written into the header of new tokens.
func (k *KeySet) SigningKID() string { return k.current().signingKID }

// SigningPublicKey returns the public half of the signing key.
func (k *KeySet) SigningPublicKey() ed25519.PublicKey {
	st := k.current()
	return st.verify[st.signingKID].pub
}

// VerifyKIDs returns the ids of every key accepted for verification, sorted.
func (k *KeySet) VerifyKIDs() []string {
	st := k.current()
	out := make([]string, 0, len(st.verify))
	for kid := range st.verify {
		out = append(out, kid)
	}
	sort.Strings(out)
	return out
}

// verificationKey returns the public key with id kid if it still verifies
// at now. A kept KeySet that does not know kid rereads the keys first (at
// most once a second): another replica may have rotated.
func (k *KeySet) verificationKey(kid string, now time.Time) (ed25519.PublicKey, bool) {
	st := k.current()
	vk, ok := st.verify[kid]
	if !ok && k.store != nil && k.store.mayRereadForUnknown() {
		k.store.refresh(context.Background(), k, 0, true)
		vk, ok = k.state.Load().verify[kid]
	}
	if !ok || !vk.until.IsZero() && !now.Before(vk.until) {
		return nil, false
	}
	return vk.pub, true
}

// LoadKeySet builds the KeySet of cfg:
//
//   - the signing key from the PEM PKCS#8 file cfg.JWTSigningKeyFile, or from
//     the PEM text in $DUTYCHAIN_JWT_SIGNING_KEY (setting both is an error);
//   - with neither, the key kept under <DataDir>/keys/signing.pem, generated
//     (file 0600, directory 0700) on first start and reused afterwards;
//   - extra verification keys from cfg.JWTVerifyKeyFiles; each file may hold
//     one or more PEM blocks, public ("PUBLIC KEY") or private ("PRIVATE KEY",
//     so a retired signing key file can be listed as is).
func LoadKeySet(cfg config.Config) (*KeySet, error) {
	signing, err := loadSigningKey(cfg)
	if err != nil {
		return nil, err
	}
	var verify []ed25519.PublicKey
	for _, f := range cfg.JWTVerifyKeyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("auth: read verification key: %w", err)
		}
		keys, err := parsePublicKeysPEM(data)
		if err != nil {
			return nil, fmt.Errorf("auth: verification key file %s: %w", f, err)
		}
		verify = append(verify, keys...)
	}
	return NewKeySet(signing, verify...)
}

func loadSigningKey(cfg config.Config) (ed25519.PrivateKey, error) {
	envPEM := os.Getenv(EnvSigningKey)
	switch {
	case cfg.JWTSigningKeyFile != "" && envPEM != "":
		return nil, fmt.Errorf("auth: both a signing key file (%s) and $%s are set; keep one", cfg.JWTSigningKeyFile, EnvSigningKey)
	case cfg.JWTSigningKeyFile != "":
		data, err := os.ReadFile(cfg.JWTSigningKeyFile)
		if err != nil {
			return nil, fmt.Errorf("auth: read signing key: %w", err)
		}
		key, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("auth: signing key file %s: %w", cfg.JWTSigningKeyFile, err)
		}
		return key, nil
	case envPEM != "":
		key, err := ParsePrivateKeyPEM([]byte(envPEM))
		if err != nil {
			return nil, fmt.Errorf("auth: $%s: %w", EnvSigningKey, err)
		}
		return key, nil
	}
	if cfg.DataDir == "" {
		return nil, errors.New("auth: no signing key configured and no data directory to keep one in")
	}
	return loadOrCreateKey(filepath.Join(cfg.DataDir, "keys", "signing.pem"))
}

// loadOrCreateKey reads the key at path, generating it first when absent.
// Creation is atomic (written to a temporary file, then hard-linked into
// place), so replicas starting together on one data directory end up sharing
// the first key written instead of overwriting each other's.
func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("auth: generated signing key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create key directory: %w", err)
	}
	pemBytes, err := GenerateKeyPEM()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".signing-*.pem")
	if err != nil {
		return nil, fmt.Errorf("auth: create signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: create signing key: %w", err)
	}
	if _, err := tmp.Write(pemBytes); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("auth: store signing key: %w", err)
	}
	// Read back what is in place: ours, or a concurrent starter's.
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	}
	return ParsePrivateKeyPEM(data)
}

// GenerateKeyPEM returns a new Ed25519 private key as PEM PKCS#8
// ("PRIVATE KEY"), the format LoadKeySet reads.
func GenerateKeyPEM() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate key: %w", err)
	}
	return PrivateKeyPEM(priv)
}

// PrivateKeyPEM encodes key as PEM PKCS#8.
func PrivateKeyPEM(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicKeyPEM encodes pub as PEM PKIX ("PUBLIC KEY"), the form to hand to
// replicas that only verify or to list in JWTVerifyKeyFiles.
func PublicKeyPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("auth: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePrivateKeyPEM reads the first PEM block of data as a PKCS#8 Ed25519
// private key.
func ParsePrivateKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("PEM block is %q, want \"PRIVATE KEY\" (PKCS#8)", block.Type)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8: %w", err)
	}
	ed, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want Ed25519", key)
	}
	return ed, nil
}

// parsePublicKeysPEM reads every PEM block of data as an Ed25519 key, public
// or private (whose public half is taken).
func parsePublicKeysPEM(data []byte) ([]ed25519.PublicKey, error) {
	var out []ed25519.PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "PUBLIC KEY":
			key, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse public key: %w", err)
			}
			ed, ok := key.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("key is %T, want Ed25519", key)
			}
			out = append(out, ed)
		case "PRIVATE KEY":
			key, err := ParsePrivateKeyPEM(pem.EncodeToMemory(block))
			if err != nil {
				return nil, err
			}
			out = append(out, key.Public().(ed25519.PublicKey))
		default:
			return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM block found")
	}
	return out, nil
}
