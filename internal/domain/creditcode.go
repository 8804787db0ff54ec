package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters
// from a 31-character alphabet (digits and the upper-case letters other than
// I, O, Z, S and V). Position 1 is the registration authority, 2 the entity
// type, 3–8 the administrative division, 9–17 the entity identifier
// (organisation code, GB 11714) and 18 the check character over the first 17.

// CreditCodeLength is the length of a unified social credit code.
const CreditCodeLength = 18

// creditCodeAlphabet lists the characters of a credit code; a character's
// value is its index.
const creditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the weights of positions 1–17 (3^(i-1) mod 31).
var creditCodeWeights = [CreditCodeLength - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode checks a unified social credit code: its length, its
// alphabet and its check character. The error says what is wrong and where.
// Codes must be upper case and carry no spaces or separators.
func ValidCreditCode(code string) error {
	if code == "" {
		return fmt.Errorf("credit code is empty: want %d characters", CreditCodeLength)
	}
	if n := utf8.RuneCountInString(code); n != CreditCodeLength {
		return fmt.Errorf("credit code %q has %d characters: want %d", code, n, CreditCodeLength)
	}
	if err := creditCodeChars(code); err != nil {
		return fmt.Errorf("credit code %q: %w", code, err)
	}
	// All characters are ASCII from here on.
	if want := creditCodeCheck(code[:CreditCodeLength-1]); code[CreditCodeLength-1] != want {
		return fmt.Errorf("credit code %q: check character is %c, want %c", code, code[CreditCodeLength-1], want)
	}
	return nil
}

// CreditCodeWithCheck completes the first 17 characters of a unified social
// credit code with its check character.
func CreditCodeWithCheck(first17 string) (string, error) {
	if n := utf8.RuneCountInString(first17); n != CreditCodeLength-1 {
		return "", fmt.Errorf("credit code body %q has %d characters: want %d", first17, n, CreditCodeLength-1)
	}
	if err := creditCodeChars(first17); err != nil {
		return "", fmt.Errorf("credit code body %q: %w", first17, err)
	}
	return first17 + string(creditCodeCheck(first17)), nil
}

// creditCodeCheck computes the check character of a 17-character body whose
// characters are all in the alphabet.
func creditCodeCheck(body string) byte {
	sum := 0
	for i := 0; i < CreditCodeLength-1; i++ {
		sum += strings.IndexByte(creditCodeAlphabet, body[i]) * creditCodeWeights[i]
	}
	return creditCodeAlphabet[(31-sum%31)%31]
}

// creditCodeChars reports the first character of s outside the alphabet,
// saying why it is not allowed.
func creditCodeChars(s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if strings.ContainsRune(creditCodeAlphabet, r) {
			continue
		}
		switch {
		case r >= 'a' && r <= 'z':
			return fmt.Errorf("character %d %q is lower case: credit codes are upper case", pos, r)
		case r == 'I' || r == 'O' || r == 'Z' || r == 'S' || r == 'V':
			return fmt.Errorf("character %d %q is not used in credit codes (I, O, Z, S and V are excluded)", pos, r)
		default:
			return fmt.Errorf("character %d %q is not allowed: want a digit or one of the letters %s", pos, r, creditCodeAlphabet[10:])
		}
	}
	return nil
}

// OrgCodeWithCheck completes the 8-character body of an organisation code
// (GB 11714: digits and upper-case letters) with its check character
// (weights 3,7,9,10,5,8,4,2; 10 → X, 11 → 0). Positions 9–17 of a credit
// code are such a code.
func OrgCodeWithCheck(body string) string {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8 && i < len(body); i++ {
		ch := body[i]
		v := int(ch - '0')
		if ch >= 'A' && ch <= 'Z' {
			v = int(ch-'A') + 10
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return body + "X"
	case 11:
		return body + "0"
	default:
		return body + string(rune('0'+c))
	}
}
