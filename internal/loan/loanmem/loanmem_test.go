package loanmem_test

import (
	"testing"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loanmem"
	"creditpocket/internal/loan/loantest"
)

func TestStoreConforms(t *testing.T) {
	loantest.Exercise(t, func(t *testing.T) loan.Store { return loanmem.New() })
}
