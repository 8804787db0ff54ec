package auth

import (
	"crypto/hmac"
	"crypto/sha256"
)

// DeriveKey returns a 32-byte secret for purpose (e.g. signing file URLs),
// derived from the signing key: replicas that share the signing key derive
// the same secret, and a new signing key gives a new one.
func (k *KeySet) DeriveKey(purpose string) []byte {
	mac := hmac.New(sha256.New, k.signing.Seed())
	mac.Write([]byte("dutychain derived key\x00" + purpose))
	return mac.Sum(nil)
}
