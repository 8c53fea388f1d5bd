package persist

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// Some tests need processes: one that dies mid-write, two that race, one
// under an address-space limit. They re-run this test binary, which then
// does one job, selected by the environment, instead of the tests.
const (
	childRoleEnv = "KILN_PERSIST_CHILD"      // "publish" or "write"
	childRootEnv = "KILN_PERSIST_CHILD_ROOT" // the registry root
	childArgEnv  = "KILN_PERSIST_CHILD_ARG"  // the job's argument
)

func TestMain(m *testing.M) {
	if path := os.Getenv(hostileEnv); path != "" {
		os.Exit(loadHostileChild(path))
	}
	switch os.Getenv(childRoleEnv) {
	case "publish":
		os.Exit(publishChild(os.Getenv(childRootEnv), os.Getenv(childArgEnv)))
	case "write":
		os.Exit(writeChild(os.Getenv(childRootEnv)))
	}
	os.Exit(m.Run())
}

// publishChild publishes 50 versions of model "m" and, after each, moves
// alias "production" forward to it: with Promote, or, when mode is "cas",
// with a MoveAlias compare-and-swap loop that never moves it backwards.
func publishChild(root, mode string) int {
	reg := &Registry{Root: root}
	// Dawdle between reading the alias and replacing it, so that without
	// the lock the two publishers' moves would interleave.
	testHookAliasRead = func() { time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) }
	for i := 0; i < 50; i++ {
		ref, err := reg.PublishBundle("m", sampleBundle())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if mode != "cas" {
			if _, err := reg.Promote("m", "production", ref.Version); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		for mode == "cas" {
			cur, err := reg.Resolve("m", "production")
			testHookAliasRead()
			if err != nil && !errors.Is(err, ErrNotFound) {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if cur.Version >= ref.Version {
				break
			}
			err = reg.MoveAlias("m", "production", cur.Version, ref.Version)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrAliasMoved) {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		// Once promoted, the alias never points below this version again.
		if cur, err := reg.Resolve("m", "production"); err != nil || cur.Version < ref.Version {
			fmt.Fprintf(os.Stderr, "production -> %v (%v) after moving it to %d: it moved backwards\n", cur, err, ref.Version)
			return 1
		}
	}
	return 0
}

// writeChild publishes one version of model "m", stopping once its
// temporary file holds the bytes: it prints the file's name and waits for a
// line on stdin (or to be killed) before it finishes.
func writeChild(root string) int {
	testHookWritten = func(tmp string) {
		fmt.Println(tmp)
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	ref, err := (&Registry{Root: root}).PublishBundle("m", sampleBundle())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(strconv.Itoa(ref.Version))
	return 0
}
