package notices

import (
	"context"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/kernel"
)

// loadReceipt loads a receipt the caller can read, NOT_FOUND otherwise.
func loadReceipt(ctx context.Context, c *ent.Client, id int) (*ent.NoticeReceipt, error) {
	return kernel.Load(ctx, c.NoticeReceipt.Get, id, "notice receipt", "receiptID")
}

// atRecipient decides action on receipt r for the caller's posts at the
// recipient unit and names who acts (postID picks the post).
func atRecipient(ctx context.Context, c *ent.Client, r *ent.NoticeReceipt, action string, postID *int) (actor, error) {
	o, err := object(ctx, c, r)
	if err != nil {
		return actor{}, err
	}
	u, err := c.Unit.Get(authz.SystemContext(ctx), r.RecipientUnitID)
	if err != nil {
		return actor{}, kernel.NotFound(err, "unit", "receiptID")
	}
	grants, err := actAtRecipient(ctx, r, o, u, action)
	if err != nil {
		return actor{}, err
	}
	return actorOf(ctx, c, grants, postID, "postID")
}

// actAtRecipient decides action on receipt r (decision object o) for the
// caller's posts at the recipient unit u: the one decision of receiving and
// replying, for the mutations and for allowedActions alike.
func actAtRecipient(ctx context.Context, r *ent.NoticeReceipt, o authz.Object, u *ent.Unit, action string) ([]authz.Grant, error) {
	return authz.ActFor(ctx, o, action, authz.PlaceOf(u), r.RecipientName, false, "receiptID")
}

// MayReceive is nil when the caller may sign for receipt r (decision object
// o, recipient unit u) now: not yet signed for, and a post at u that may.
func MayReceive(ctx context.Context, r *ent.NoticeReceipt, o authz.Object, u *ent.Unit) error {
	if r.ReceivedAt != nil {
		return apperr.Invalid("receiptID", "already signed for")
	}
	_, err := actAtRecipient(ctx, r, o, u, "receive")
	return err
}

// MayReply is nil when the caller may answer receipt r now: not yet
// answered, and a post at the recipient unit that may.
func MayReply(ctx context.Context, r *ent.NoticeReceipt, o authz.Object, u *ent.Unit) error {
	if r.RepliedAt != nil {
		return apperr.Invalid("receiptID", "already answered")
	}
	_, err := actAtRecipient(ctx, r, o, u, "reply")
	return err
}

// receivedState is what a receipt's status reads as, for CONFLICT messages.
func receivedState(r *ent.NoticeReceipt) string {
	if r.ReceivedAt != nil {
		return "signed for by " + deref(r.ReceiverName)
	}
	return "not signed for"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Receive signs for a notice (签收) in a post the caller holds at the
// recipient unit. A receipt is signed for once.
func (s *Service) Receive(ctx context.Context, id int, postID *int) (*ent.NoticeReceipt, error) {
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.NoticeReceipt, error) {
		r, err := loadReceipt(ctx, c, id)
		if err != nil {
			return nil, err
		}
		a, err := atRecipient(ctx, c, r, "receive", postID)
		if err != nil {
			return nil, err
		}
		if r.ReceivedAt != nil {
			return nil, kernel.Invalidf("receiptID", "%s already signed for this notice", deref(r.ReceiverName))
		}
		if err := s.sign(ctx, c, r, a, "receive"); err != nil {
			return nil, err
		}
		return c.NoticeReceipt.Get(ctx, r.ID)
	})
}

// sign records a's receipt on r, conditional on r being unsigned still;
// also, when given, sets more on the same row (a reply) in the same update.
func (s *Service) sign(ctx context.Context, c *ent.Client, r *ent.NoticeReceipt, a actor, action string, also ...func(*ent.NoticeReceiptUpdateOne)) error {
	return kernel.Claim("notice receipt", func() (int, error) {
		u := c.NoticeReceipt.UpdateOneID(r.ID).Where(noticereceipt.ReceivedAtIsNil()).
			SetReceivedAt(kernel.Now(s.Now)).SetReceiverName(a.name).SetReceiverTitle(a.title).
			SetNillableReceiverUserID(a.userID).SetNillableReceiverPostID(a.postID)
		for _, f := range also {
			f(u)
		}
		return kernel.Affected(u.Exec(authz.WithAction(ctx, action)))
	}, func() (string, error) {
		now, err := c.NoticeReceipt.Get(authz.SystemContext(ctx), r.ID)
		if err != nil {
			return "", err
		}
		return receivedState(now), nil
	})
}

// Reply answers a notice (反馈) in a post the caller holds at the recipient
// unit; a reply signs for the notice too when nobody has yet. A receipt
// carries one reply.
func (s *Service) Reply(ctx context.Context, id int, text string, postID *int) (*ent.NoticeReceipt, error) {
	text = strings.TrimSpace(text)
	if err := checkText("reply", text, MaxReply, true); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.NoticeReceipt, error) {
		r, err := loadReceipt(ctx, c, id)
		if err != nil {
			return nil, err
		}
		a, err := atRecipient(ctx, c, r, "reply", postID)
		if err != nil {
			return nil, err
		}
		if r.RepliedAt != nil {
			return nil, apperr.Invalid("receiptID", "this notice was already answered")
		}
		reply := func(u *ent.NoticeReceiptUpdateOne) {
			u.Where(noticereceipt.RepliedAtIsNil()).SetReply(text).SetRepliedAt(kernel.Now(s.Now))
		}
		if r.ReceivedAt == nil {
			err = s.sign(ctx, c, r, a, "reply", reply)
		} else {
			err = kernel.Claim("notice receipt", func() (int, error) {
				u := c.NoticeReceipt.UpdateOneID(r.ID)
				reply(u)
				return kernel.Affected(u.Exec(authz.WithAction(ctx, "reply")))
			}, func() (string, error) { return "answered", nil })
		}
		if err != nil {
			return nil, err
		}
		return c.NoticeReceipt.Get(ctx, r.ID)
	})
}
