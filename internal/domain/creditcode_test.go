package domain

import (
	"strings"
	"testing"
)

func TestValidCreditCode(t *testing.T) {
	tests := []struct {
		name string
		code string
		// wantErr is a fragment of the expected error; empty means valid.
		wantErr string
	}{
		{"commonly cited example", "91350100M000100Y43", ""},
		{"listed company", "91110000802100433B", ""},
		{"enterprise in Shenzhen", "91440300708461136T", ""},
		{"letter check character", "9111000071093123XX", ""},
		{"completed by CreditCodeWithCheck", mustComplete(t, "91341199MA2000010"), ""},

		{"empty", "", "empty"},
		{"too short", "91350100M000100Y4", "has 17 characters: want 18"},
		{"too long", "91350100M000100Y433", "has 19 characters: want 18"},
		{"with spaces", "9135 0100M000100Y43", "has 19 characters"},
		{"wrong check character", "91350100M000100Y44", "check character is 4, want 3"},
		{"transposed digits", "91350100M000010Y43", "check character is 3, want"},
		{"lower case", "91350100m000100y43", `character 9 'm' is lower case`},
		{"excluded letter I", "91350100I000100Y43", `character 9 'I' is not used`},
		{"excluded letter O in check position", "91350100M000100Y4O", `character 18 'O' is not used`},
		{"punctuation", "91350100M-00100Y43", `character 10 '-' is not allowed`},
		{"full-width digit", "91350100M000100Y4３", `character 18 '３' is not allowed`},
		{"Chinese characters", "统一社会信用代码统一社会信用代码统一", `character 1 '统' is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidCreditCode(tt.code)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ValidCreditCode(%q) = %v, want nil", tt.code, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("ValidCreditCode(%q) = nil, want error containing %q", tt.code, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("ValidCreditCode(%q) = %q, want it to contain %q", tt.code, err, tt.wantErr)
			}
		})
	}
}

func TestCreditCodeWithCheck(t *testing.T) {
	tests := []struct {
		body    string
		want    string
		wantErr string
	}{
		{"91350100M000100Y4", "91350100M000100Y43", ""},
		{"91110000802100433", "91110000802100433B", ""},
		{"91440300708461136", "91440300708461136T", ""},
		{"9135010", "", "has 7 characters: want 17"},
		{"91350100M000100Y43", "", "has 18 characters: want 17"},
		{"91350100M0001O0Y4", "", `character 14 'O' is not used`},
	}
	for _, tt := range tests {
		got, err := CreditCodeWithCheck(tt.body)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CreditCodeWithCheck(%q) = %q, %v; want error containing %q", tt.body, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CreditCodeWithCheck(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

// TestCreditCodeRoundTrip: every completed body validates, and changing any
// one character of a valid code is caught (the weights are all non-zero mod
// 31, a prime, so a single substitution always changes the check).
func TestCreditCodeRoundTrip(t *testing.T) {
	code := "91350100M000100Y43"
	for pos := 0; pos < CreditCodeLength; pos++ {
		for _, c := range creditCodeAlphabet {
			if byte(c) == code[pos] {
				continue
			}
			mutated := code[:pos] + string(c) + code[pos+1:]
			if ValidCreditCode(mutated) == nil {
				t.Fatalf("single substitution %q at position %d not detected", mutated, pos+1)
			}
		}
	}
	for i := 0; i < 500; i++ {
		body := []byte("91341199MA2000000")
		n := i * 7919
		for j := 16; j >= 10 && n > 0; j-- {
			body[j] = creditCodeAlphabet[n%31]
			n /= 31
		}
		full, err := CreditCodeWithCheck(string(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidCreditCode(full); err != nil {
			t.Fatalf("completed code %q does not validate: %v", full, err)
		}
	}
}

func mustComplete(t *testing.T, body string) string {
	t.Helper()
	code, err := CreditCodeWithCheck(body)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
