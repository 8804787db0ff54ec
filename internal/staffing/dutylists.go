package staffing

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Acknowledged reports whether the holder acknowledged the current version
// of d.
func Acknowledged(d *ent.DutyList) bool {
	return d.AcknowledgedVersion != nil && *d.AcknowledgedVersion == d.Version
}

// ValidAt reports whether post p is valid at now.
func ValidAt(p *ent.Post, now time.Time) bool {
	return !p.ValidFrom.After(now) && (p.ValidTo == nil || p.ValidTo.After(now))
}

func checkItems(items []string) error {
	if len(items) == 0 || len(items) > MaxItems {
		return kernel.Invalidf("items", "a duty list has between 1 and %d items", MaxItems)
	}
	for i := range items {
		if err := clean("items", &items[i], MaxItem, true); err != nil {
			return err
		}
	}
	return nil
}

// SetDutyList writes the duty list of a post valid now: its first version,
// or the next one, which its holder has to acknowledge anew. Who may is the
// scope hook's decision (create, update) on the post's unit: a head or
// principal of that unit or of a unit governing it — never the governed
// for their government.
func (s *Service) SetDutyList(ctx context.Context, postID int, items []string) (*ent.DutyList, error) {
	items = slices.Clone(items)
	if err := checkItems(items); err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.DutyList, error) {
		p, err := kernel.Load(ctx, c.Post.Get, postID, "post", "postID")
		if err != nil {
			return nil, err
		}
		if !ValidAt(p, now) {
			return nil, apperr.Invalid("postID", "the post is not valid now")
		}
		by, err := callerName(ctx, c)
		if err != nil {
			return nil, err
		}
		d, err := c.DutyList.Query().Where(dutylist.PostID(p.ID)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			d, err = c.DutyList.Create().SetPostID(p.ID).SetUnitID(p.UnitID).SetVersion(1).SetItems(items).
				SetWrittenByName(by).SetWrittenAt(now).Save(ctx)
			if ent.IsConstraintError(err) {
				return nil, kernel.Changed("duty list", "written by somebody else")
			}
			if err != nil {
				return nil, err
			}
		case err != nil:
			return nil, fmt.Errorf("load duty list: %w", err)
		default:
			err = kernel.Claim("duty list", func() (int, error) {
				return kernel.Affected(c.DutyList.UpdateOneID(d.ID).Where(dutylist.Version(d.Version)).
					SetVersion(d.Version + 1).SetItems(items).SetWrittenByName(by).SetWrittenAt(now).Exec(ctx))
			}, func() (string, error) { return currentVersion(ctx, c, d.ID) })
			if err != nil {
				return nil, err
			}
		}
		return c.DutyList.Get(ctx, d.ID)
	})
}

func currentVersion(ctx context.Context, c *ent.Client, id int) (string, error) {
	d, err := c.DutyList.Get(authz.SystemContext(ctx), id)
	if err != nil {
		return "", err
	}
	return "version " + strconv.Itoa(d.Version), nil
}

// MayAcknowledge decides whether the caller may acknowledge the duty list
// of post postID at unit unitID (o its decision object): NOT_FOUND when they
// cannot read it, FORBIDDEN unless they hold that very post, valid now,
// whose role may acknowledge.
func MayAcknowledge(ctx context.Context, o authz.Object, unitID, postID int) error {
	grants, err := authz.CheckAt(ctx, o, "acknowledge", unitID)
	if err != nil && apperr.CodeOf(err) != apperr.Forbidden {
		return err
	}
	if v := authz.FromContext(ctx); v != nil && v.IsSystem() {
		return nil
	}
	for _, g := range grants {
		if g.PostID == postID {
			return nil
		}
	}
	return apperr.ForbiddenErr("acknowledge this duty list: only the holder of its post acknowledges it")
}

// AcknowledgeDutyList acknowledges (签字确认) version of a duty list as the
// holder of its post: version must be the current one, not acknowledged
// yet; the write is conditional on both.
func (s *Service) AcknowledgeDutyList(ctx context.Context, id, version int) (*ent.DutyList, error) {
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.DutyList, error) {
		d, err := kernel.Load(ctx, c.DutyList.Get, id, "duty list", "id")
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, "duty_list", d.TenantID, d.ScopePath, d.ScopeSector, d.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		if err := MayAcknowledge(ctx, o, d.UnitID, d.PostID); err != nil {
			return nil, err
		}
		if version != d.Version {
			return nil, kernel.Changed("duty list", "version "+strconv.Itoa(d.Version))
		}
		if Acknowledged(d) {
			return nil, kernel.Invalidf("id", "version %d is already acknowledged", d.Version)
		}
		by, err := callerName(ctx, c)
		if err != nil {
			return nil, err
		}
		err = kernel.Claim("duty list", func() (int, error) {
			return kernel.Affected(c.DutyList.UpdateOneID(d.ID).
				Where(dutylist.Version(version), dutylist.Or(dutylist.AcknowledgedVersionIsNil(), dutylist.AcknowledgedVersionNEQ(version))).
				SetAcknowledgedVersion(version).SetAcknowledgedAt(now).SetAcknowledgedByName(by).
				Exec(authz.WithAction(ctx, "acknowledge")))
		}, func() (string, error) { return currentVersion(ctx, c, d.ID) })
		if err != nil {
			return nil, err
		}
		return c.DutyList.Get(ctx, d.ID)
	})
}
