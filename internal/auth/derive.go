package auth

import (
	"crypto/hmac"
	"crypto/sha256"
)

// DeriveKey returns a 32-byte secret for purpose (e.g. signing file URLs),
// derived from the configured signing key, or for keys kept in the database
// from the key secret: replicas that share either derive the same secret, and
// a rotation in the database does not change it.
func (k *KeySet) DeriveKey(purpose string) []byte {
	mac := hmac.New(sha256.New, k.derivedBase)
	mac.Write([]byte("dutychain derived key\x00" + purpose))
	return mac.Sum(nil)
}
