// Command client is an Autobahn fuzzingserver driver for a Go WebSocket client library, run by
// @wsmatrix/targets as
//
//	client BASE_URL AGENT [--plan]
//
// Built once per library with a build tag (gorilla or nhooyr) that adds the file holding the library's
// calls; this file is the fuzzingserver protocol, the same for both. It asks /getCaseCount, then plays one
// /runCase connection after the other (the next only once the last has ended), echoing every message with
// its type, then asks /updateReports and waits for its close. With --plan it asks wsmatrix's /getCasePlan
// instead (an extension Autobahn does not have) and plays its phases one after the other, at most
// `concurrency` cases of a phase open at once: the schedule of a server run, which keeps timing cases alone.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// library is what the build tag's file provides: the library's own dial, read and write calls.
type library interface {
	// echo connects to url and sends every message back with its type until the connection ends.
	// An error only when the connection could not be opened: how a case ends is the fuzzingserver's to judge.
	echo(url string) error
	// firstText connects to url, takes the first message and returns it once the server has closed.
	firstText(url string) (string, error)
}

// plan is wsmatrix's /getCasePlan answer.
type plan struct {
	Phases []phase `json:"phases"`
}

type phase struct {
	Cases       []int `json:"cases"`
	Concurrency int   `json:"concurrency"`
}

func main() {
	args := os.Args[1:]
	planned := len(args) > 0 && args[len(args)-1] == "--plan"
	if planned {
		args = args[:len(args)-1]
	}
	if len(args) != 2 || args[0] == "" || args[1] == "" {
		fmt.Fprintf(os.Stderr, "usage: %s-client BASE_URL AGENT [--plan]\n", libraryName)
		os.Exit(2)
	}
	d := driver{lib: newLibrary(), base: strings.TrimRight(args[0], "/"), agent: queryEscape(args[1])}
	if err := d.run(planned); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type driver struct {
	lib   library
	base  string
	agent string
	total int
}

func (d *driver) run(planned bool) error {
	var phases []phase
	if planned {
		url := d.base + "/getCasePlan"
		text, err := d.lib.firstText(url)
		var p plan
		if err != nil || json.Unmarshal([]byte(text), &p) != nil || p.Phases == nil {
			return fmt.Errorf("no case plan from %s", url)
		}
		phases = p.Phases
	} else {
		url := d.base + "/getCaseCount"
		text, err := d.lib.firstText(url)
		count, convErr := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || convErr != nil || count <= 0 {
			return fmt.Errorf("no case count from %s", url)
		}
		// The sequential schedule is a plan of one case at a time.
		all := phase{Concurrency: 1}
		for n := 1; n <= count; n++ {
			all.Cases = append(all.Cases, n)
		}
		phases = []phase{all}
	}
	for _, p := range phases {
		d.total += len(p.Cases)
	}
	for _, p := range phases {
		d.playPhase(p)
	}
	url := fmt.Sprintf("%s/updateReports?agent=%s", d.base, d.agent)
	if err := d.lib.echo(url); err != nil {
		return fmt.Errorf("%s: %v", url, err)
	}
	return nil
}

// playPhase plays the phase's cases in order, at most Concurrency at once: each worker takes the next
// case once its last one has ended.
func (d *driver) playPhase(p phase) {
	workers := p.Concurrency
	if workers > len(p.Cases) {
		workers = len(p.Cases)
	}
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var done sync.WaitGroup
	for i := 0; i < workers; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			for n := range next {
				d.playCase(n)
			}
		}()
	}
	for _, n := range p.Cases {
		next <- n
	}
	close(next)
	done.Wait()
}

func (d *driver) playCase(n int) {
	fmt.Printf("Running test case %d/%d\n", n, d.total)
	url := fmt.Sprintf("%s/runCase?case=%d&agent=%s", d.base, n, d.agent)
	// A refused connection or a failed handshake is reported and the next case played.
	if err := d.lib.echo(url); err != nil {
		fmt.Fprintf(os.Stderr, "case %d: %v\n", n, err)
	}
}

// queryEscape escapes as JavaScript's encodeURIComponent does, as the Node drivers send the agent.
func queryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
