package db

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLSNsReadAndPrintAsPostgreSQLDoes(t *testing.T) {
	tests := []struct {
		name, text string
		want       LSN
		ok         bool
	}{
		{"a small position", "0/16B3748", 0x16B3748, true},
		{"a position past 4 GiB", "16/B374D848", 0x16B374D848, true},
		{"the largest position", "FFFFFFFF/FFFFFFFF", ^LSN(0), true},
		{"no slash is refused", "16B374D848", 0, false},
		{"an empty half is refused", "16/", 0, false},
		{"a half over 32 bits is refused", "100000000/0", 0, false},
		{"not hexadecimal is refused", "0/XYZ", 0, false},
		{"a sign is refused", "-1/0", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseLSN(tt.text)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
			if ok {
				require.Equal(t, tt.text, got.String())
			}
		})
	}
}

func TestWithoutAReplicaEveryReadStaysOnThePrimary(t *testing.T) {
	var r Reads
	ctx, q := Track(context.Background(), 42)
	routed := r.ForRead(ctx)
	require.False(t, onReplica(routed))
	require.Nil(t, r.driverFor(routed))
	require.Empty(t, q.Source(), "nothing was routed")
	require.False(t, r.Status().Healthy)
	require.Error(t, r.Check(ctx))
	markWrite(ctx)
	require.True(t, q.Wrote())
}

func TestAReadAfterAWriteOfTheSameRequestStaysOnThePrimary(t *testing.T) {
	r := Reads{replica: &sql.DB{}}
	r.status.Store(&ReplicaStatus{Healthy: true})
	ctx, q := Track(context.Background(), 0)
	require.True(t, onReplica(r.ForRead(ctx)), "a healthy replica serves a request that wrote nothing")
	markWrite(ctx)
	require.False(t, onReplica(r.ForRead(ctx)), "after the request's own write, its reads use the primary")
	require.Equal(t, "primary; the request wrote", q.Source())
}
