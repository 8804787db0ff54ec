package server_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
)

// TestTokensWorkOnEveryReplica runs two servers on one database, each with
// its own data directory and the deployment's key secret: a token signed by
// one is accepted by the other.
func TestTokensWorkOnEveryReplica(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		a := apitest.Serve(t, d)
		b := apitest.Serve(t, d)
		require.NotEqual(t, a.Config.DataDir, b.Config.DataDir)
		tokenFromA := a.As("admin")
		r := b.Do(tokenFromA, `{ me { user { username } } }`, nil)
		require.Empty(t, r.Errors, "a token minted on replica A is accepted on replica B")
	})
}
