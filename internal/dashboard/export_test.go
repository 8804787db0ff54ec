package dashboard

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
)

// Counts answers the counts of the dashboard of in as Dashboard does (the
// period taken at now), from the tallies where they answer the caller when
// tallies is set, from the records only otherwise; the indicators are left
// out.
func (s *Service) Counts(ctx context.Context, in Input, now time.Time, tallies bool) (*Dashboard, error) {
	v := authz.FromContext(ctx)
	out, err := period(in, now)
	if err != nil {
		return nil, err
	}
	if err := s.place(ctx, v, in.UnitID, out); err != nil {
		return nil, err
	}
	if err := s.count(ctx, v, out, tallies); err != nil {
		return nil, err
	}
	return out, nil
}
