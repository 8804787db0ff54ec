package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const probe = `{ me { user { username } } }`

// reasonOf is the first error's extensions.reason.
func reasonOf(r *apitest.Response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	s, _ := r.Errors[0].Extensions["reason"].(string)
	return s
}

// requireRefused asserts r is UNAUTHENTICATED with reason.
func requireRefused(t *testing.T, r *apitest.Response, reason string) {
	t.Helper()
	require.Equal(t, "UNAUTHENTICATED", r.Code(), "errors: %+v", r.Errors)
	require.Equal(t, reason, reasonOf(r), "errors: %+v", r.Errors)
}

// session signs username in afresh (not from the harness's token cache).
func session(t *testing.T, s *apitest.Server, username string) (access, refresh string) {
	t.Helper()
	var out struct {
		Login struct{ AccessToken, RefreshToken string } `json:"login"`
	}
	s.MustDo("", fmt.Sprintf(`mutation { login(input: {tenant: "demo", username: %q, password: %q}) { accessToken refreshToken } }`,
		username, seed.DemoPassword), nil).Decode(t, &out)
	return out.Login.AccessToken, out.Login.RefreshToken
}

func refresh(s *apitest.Server, token string) *apitest.Response {
	return s.Do("", `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }`, map[string]any{"t": token})
}

// userID finds a demo user's id as the county admin.
func userID(t *testing.T, s *apitest.Server, username string) string {
	t.Helper()
	var out struct {
		Users struct {
			Edges []struct{ Node struct{ ID string } }
		} `json:"users"`
	}
	s.MustDo(s.As("admin"), `query($u: String!) { users(where: {username: $u}) { edges { node { id } } } }`,
		map[string]any{"u": username}).Decode(t, &out)
	require.Len(t, out.Users.Edges, 1, username)
	return out.Users.Edges[0].Node.ID
}

func TestAuthErrorsSayWhyAndWhatToDo(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		t.Run("no token on a protected field is TOKEN_MISSING", func(t *testing.T) {
			requireRefused(t, s.Do("", probe, nil), "TOKEN_MISSING")
		})
		t.Run("a forged token is TOKEN_INVALID", func(t *testing.T) {
			requireRefused(t, s.Do("x"+s.As("county.head"), probe, nil), "TOKEN_INVALID")
		})
		t.Run("an expired token is TOKEN_EXPIRED", func(t *testing.T) {
			token, _ := session(t, s, "county.head")
			s.Clock.Set(time.Now().Add(16 * time.Minute))
			defer s.Clock.Set(time.Time{})
			requireRefused(t, s.Do(token, probe, nil), "TOKEN_EXPIRED")
		})
		t.Run("a wrong password is CREDENTIALS_INVALID", func(t *testing.T) {
			requireRefused(t, s.Do("", `mutation { login(input: {tenant: "demo", username: "county.head", password: "not-the-password"}) { accessToken } }`, nil),
				"CREDENTIALS_INVALID")
		})
		t.Run("a signed-out session is TOKEN_REVOKED at once, access and refresh token alike", func(t *testing.T) {
			access, refreshToken := session(t, s, "xihe.head")
			s.MustDo(access, `mutation($t: String) { logout(input: {refreshToken: $t}) { loggedOut } }`, map[string]any{"t": refreshToken})
			requireRefused(t, s.Do(access, probe, nil), "TOKEN_REVOKED")
			requireRefused(t, refresh(s, refreshToken), "TOKEN_REVOKED")
		})
		t.Run("a file download without a token says why too", func(t *testing.T) {
			res, body := s.Get("", "/files/RmlsZToxMjM")
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
			require.Contains(t, string(body), `"reason":"TOKEN_MISSING"`)
		})
	})
}

func TestRepeatedFailuresAreLoginThrottled(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const login = `mutation($p: String!) { login(input: {tenant: "demo", username: "qiaotou.head", password: $p}) { accessToken } }`
		for range 2 {
			requireRefused(t, s.Do("", login, map[string]any{"p": "not-the-password"}), "CREDENTIALS_INVALID")
		}
		requireRefused(t, s.Do("", login, map[string]any{"p": seed.DemoPassword}), "LOGIN_THROTTLED")
	}, func(c *config.Config) { c.LoginMaxFailures = 2 })
}

func TestChangingCredentialsEndsEverySessionAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		bystander, _ := session(t, s, "qiaotou.secretary")
		const updateUser = `mutation($in: UpdateUserInput!) { updateUser(input: $in) { user { id } } }`
		tests := []struct {
			name, user string
			change     func(t *testing.T, access string)
		}{
			{"changing one's password ends one's sessions, this one too", "dongcheng.head", func(t *testing.T, access string) {
				s.MustDo(access, `mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { user { id } } }`,
					map[string]any{"c": seed.DemoPassword, "n": "a-new-password-1234"})
			}},
			{"an administrative password reset ends the user's sessions", "beiling.head", func(t *testing.T, _ string) {
				s.MustDo(admin, updateUser, map[string]any{"in": map[string]any{"id": userID(t, s, "beiling.head"), "password": "a-reset-password-1234"}})
			}},
			{"disabling a user ends their sessions", "beiling.secretary", func(t *testing.T, _ string) {
				s.MustDo(admin, updateUser, map[string]any{"in": map[string]any{"id": userID(t, s, "beiling.secretary"), "status": "DISABLED"}})
			}},
			{"ending a user's last post ends their sessions", "nanshan.head", func(t *testing.T, access string) {
				var me struct {
					Me struct{ Posts []struct{ ID string } } `json:"me"`
				}
				s.MustDo(access, `{ me { posts { id } } }`, nil).Decode(t, &me)
				require.Len(t, me.Me.Posts, 1, "the user holds one post")
				s.MustDo(admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": me.Me.Posts[0].ID})
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				access, refreshToken := session(t, s, tt.user)
				other, otherRefresh := session(t, s, tt.user)
				require.Empty(t, s.Do(access, probe, nil).Errors)
				tt.change(t, access)
				for _, token := range []string{access, other} {
					requireRefused(t, s.Do(token, probe, nil), "TOKEN_REVOKED")
				}
				for _, token := range []string{refreshToken, otherRefresh} {
					requireRefused(t, refresh(s, token), "TOKEN_REVOKED")
				}
			})
		}
		t.Run("other users' sessions stay open", func(t *testing.T) {
			require.Empty(t, s.Do(bystander, probe, nil).Errors)
		})
	})
}

func TestThrottlingCountsTheForwardedAddressOfATrustedProxy(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		login := func(password, forwardedFor string) *apitest.Response {
			body, err := json.Marshal(map[string]string{"query": fmt.Sprintf(
				`mutation { login(input: {tenant: "demo", username: "qiaotou.secretary", password: %q}) { accessToken } }`, password)})
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", forwardedFor)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var r apitest.Response
			require.NoError(t, json.NewDecoder(res.Body).Decode(&r))
			return &r
		}
		for range 2 {
			requireRefused(t, login("not-the-password", "198.51.100.1"), "CREDENTIALS_INVALID")
		}
		requireRefused(t, login(seed.DemoPassword, "198.51.100.1"), "LOGIN_THROTTLED")
		require.Empty(t, login(seed.DemoPassword, "198.51.100.2").Errors, "the same account from another office signs in")
	}, func(c *config.Config) {
		c.LoginMaxFailures = 2
		c.TrustedProxies = []string{"127.0.0.1/32", "::1"} // the test client is the proxy
	})
}
