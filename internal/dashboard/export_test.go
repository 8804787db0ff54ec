package dashboard

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
)

// Source is where Counts reads the whole months of a period from.
type Source = source

// The sources of Counts: the records only, the monthly tallies where they
// answer the caller, their town rollups where those do (the dashboard's).
const (
	FromRecords = fromRecords
	FromTallies = fromTallies
	FromRollups = fromRollups
)

// Counts answers the counts of the dashboard of in as Dashboard does (the
// period taken at now), from src; the indicators are left out.
func (s *Service) Counts(ctx context.Context, in Input, now time.Time, src Source) (*Dashboard, error) {
	v := authz.FromContext(ctx)
	out, err := period(in, now)
	if err != nil {
		return nil, err
	}
	if err := s.place(ctx, v, in.UnitID, out); err != nil {
		return nil, err
	}
	if err := s.count(ctx, v, out, src); err != nil {
		return nil, err
	}
	return out, nil
}
