package notices

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/noticereceipt"
)

// RecipientsReadAll reports whether the caller reads every receipt of n, so
// that n.RecipientCount is its total: it holds a post with no sectors at the
// issuer or above it (the receipts carry the issuer's path as their issuer
// path, and the issuer side reads them whatever their recipient). Otherwise
// recipientCount is the receipts it reads (CountReceipts): out-of-scope
// receipts do not exist for it (docs/AUTHZ.md, "Totals of parts").
func RecipientsReadAll(ctx context.Context, n *ent.Notice) bool {
	return authz.FromContext(ctx).ReadsAllUnder("notice", n.ScopePath)
}

// CountReceipts counts, by notice id, the receipts of the notices ids the
// caller reads (through the read filter), in one statement; a notice none
// of whose receipts the caller reads is absent.
func CountReceipts(ctx context.Context, client *ent.Client, ids []int) (map[int]int, error) {
	var rows []struct {
		NoticeID int `json:"notice_id"`
		Count    int `json:"count"`
	}
	if err := client.NoticeReceipt.Query().Where(noticereceipt.NoticeIDIn(ids...)).
		GroupBy(noticereceipt.FieldNoticeID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[int]int, len(rows))
	for _, r := range rows {
		out[r.NoticeID] = r.Count
	}
	return out, nil
}
