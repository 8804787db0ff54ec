package org

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/kernel"
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// CreateUserInput is what createUser accepts.
type CreateUserInput struct {
	Username, DisplayName, Password string
	Phone                           *string
	UnitID                          int
}

// CreateUser adds a user whose home unit is in the caller's scope.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*ent.User, error) {
	if !usernamePattern.MatchString(in.Username) {
		return nil, apperr.Invalid("username", "username must be 2–64 lowercase letters, digits, '.', '_' or '-'")
	}
	if err := apperr.Join(checkName("displayName", in.DisplayName, MaxDisplayName),
		input.OptionalText("phone", in.Phone, MaxPhone)); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.User, error) {
		home, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		taken, err := c.User.Query().Where(user.TenantID(home.TenantID), user.Username(in.Username)).Exist(authz.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("check username: %w", err)
		}
		if taken {
			return nil, &apperr.Error{Code: apperr.Conflict, Field: "username", Message: "this username is already taken in this tenant"}
		}
		u, err := c.User.Create().SetUsername(in.Username).SetDisplayName(strings.TrimSpace(in.DisplayName)).
			SetNillablePhone(in.Phone).SetPasswordHash(hash).SetUnitID(home.ID).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.User.Get(ctx, u.ID)
	})
}

// UpdateUserInput is what updateUser accepts.
type UpdateUserInput struct {
	DisplayName, Phone, Password *string
	Status                       *user.Status
	UnitID                       *int
}

// UpdateUser edits a user in scope. Disabling a user or resetting their
// password revokes their refresh tokens; access stops at the next request.
func (s *Service) UpdateUser(ctx context.Context, id int, in UpdateUserInput) (*ent.User, error) {
	if in.DisplayName != nil {
		if err := checkName("displayName", *in.DisplayName, MaxDisplayName); err != nil {
			return nil, err
		}
	}
	if err := input.OptionalText("phone", in.Phone, MaxPhone); err != nil {
		return nil, err
	}
	if in.Status != nil {
		if err := user.StatusValidator(*in.Status); err != nil {
			return nil, apperr.Invalid("status", "unknown status")
		}
	}
	var hash string
	if in.Password != nil {
		var err error
		if hash, err = hashPassword(*in.Password); err != nil {
			return nil, err
		}
	}
	if v := authz.FromContext(ctx); v != nil && v.UserID == id && in.Status != nil && *in.Status == user.StatusDISABLED {
		return nil, apperr.Invalid("status", "you cannot disable your own account")
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.User, error) {
		if _, err := kernel.Load(ctx, c.User.Get, id, "user", ""); err != nil {
			return nil, err
		}
		if err := authz.CanManageUser(ctx, c, id); err != nil {
			return nil, err
		}
		upd := c.User.UpdateOneID(id).SetNillablePhone(in.Phone).SetNillableStatus(in.Status)
		if in.DisplayName != nil {
			upd.SetDisplayName(strings.TrimSpace(*in.DisplayName))
		}
		if in.UnitID != nil {
			if _, err := kernel.Unit(ctx, c, *in.UnitID, "unitID"); err != nil {
				return nil, err
			}
			upd.SetUnitID(*in.UnitID)
		}
		if hash != "" {
			upd.SetPasswordHash(hash)
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, err
		}
		if hash != "" || (in.Status != nil && *in.Status == user.StatusDISABLED) {
			if _, err := c.RefreshToken.Update().Where(refreshtoken.UserID(id), refreshtoken.RevokedAtIsNil()).
				SetRevokedAt(kernel.Now(s.Now)).Save(authz.SystemContext(ctx)); err != nil {
				return nil, fmt.Errorf("revoke sessions: %w", err)
			}
		}
		return c.User.Get(ctx, id)
	})
}

// hashPassword checks a new password's length and characters and hashes
// it.
func hashPassword(password string) (string, error) {
	if err := input.Text("password", password, MaxPassword); err != nil {
		return "", err
	}
	if len(password) < auth.MinPasswordLength {
		return "", apperr.Invalid("password", fmt.Sprintf("password must be at least %d characters", auth.MinPasswordLength))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}
