// Command runcheck checks that a zoo run directory is loadable (see
// internal/killtest.Check) and prints what it holds. It exits 1 on the
// first file that does not load. scripts/killtest.sh runs it after every
// kill.
//
//	runcheck [--data DIR] RUNDIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gorgonia-zoo/zoo/internal/killtest"
)

func main() {
	data := flag.String("data", "", "data directory, as zoo train --data")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: runcheck [--data DIR] RUNDIR")
		os.Exit(2)
	}
	rep, err := killtest.Check(flag.Arg(0), *data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "runcheck:", err)
		os.Exit(1)
	}
	fmt.Println(rep)
}
