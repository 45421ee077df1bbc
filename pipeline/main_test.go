package pipeline

import (
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/blastest"
)

func TestMain(m *testing.M) { blastest.Main(m) }
