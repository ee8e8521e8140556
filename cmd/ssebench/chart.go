package main

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The chart: fan-out deliveries/s (bursts mode) and p99 publish->receive
// latency (rate mode, or bursts mode when no rate-mode result is given)
// against the number of streams, one line per target. Drawn with the
// standard library and the bitmap font in font.go.

var (
	colBackground = color.RGBA{255, 255, 255, 255}
	colAxis       = color.RGBA{40, 40, 40, 255}
	colGrid       = color.RGBA{225, 225, 225, 255}
	colText       = color.RGBA{30, 30, 30, 255}
	colMuted      = color.RGBA{110, 110, 110, 255}
	colSpec       = color.RGBA{200, 40, 40, 255}
	targetColors  = map[string]color.RGBA{
		targetLuahost:  {31, 119, 180, 255},
		targetBaseline: {255, 127, 14, 255},
	}
)

type chartPoint struct {
	n   int
	v   float64
	bad bool // the scenario reported problems (errors, lost events)
}

type chartSeries struct {
	name   string
	color  color.RGBA
	points []chartPoint
}

// chartData is what the chart shows, gathered from result files.
type chartData struct {
	throughput []chartSeries
	latency    []chartSeries
	latMode    string // "rate" or "bursts"
	latRate    string // the rate of the rate-mode runs, if they agree
	date       string
	cpus       int
	anyBad     bool // some point comes from runs with problems
}

func drawChartFiles(out, from string) error {
	var paths []string
	for _, pat := range strings.Split(from, ",") {
		pat = strings.TrimSpace(pat)
		if pat == "" {
			continue
		}
		m, err := filepath.Glob(pat)
		if err != nil {
			return err
		}
		if len(m) == 0 {
			return fmt.Errorf("no file matches %q", pat)
		}
		paths = append(paths, m...)
	}
	var files []*resultFile
	for _, p := range paths {
		f, err := readResultFile(p)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	d, err := gatherChart(files)
	if err != nil {
		return err
	}
	img := renderChart(d)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// gatherChart picks the fan-out medians out of the files; for the same
// target, mode and stream count, a later file wins.
func gatherChart(files []*resultFile) (*chartData, error) {
	type key struct {
		target, mode string
		n            int
	}
	vals := map[key]map[string]float64{}
	bad := map[key]bool{}
	rates := map[string]bool{}
	d := &chartData{}
	for _, f := range files {
		d.date = max(d.date, f.Date)
		d.cpus = max(d.cpus, f.CPUs)
		for _, s := range f.Scenarios {
			if s.Scenario != scenarioFanout {
				continue
			}
			for _, t := range s.Targets {
				k := key{t.Target, s.Mode, s.N}
				vals[k] = t.Median
				bad[k] = false
				for _, r := range t.Runs {
					bad[k] = bad[k] || len(r.Problems) > 0
				}
			}
			if s.Mode == "rate" {
				rates[s.Params["rate"]] = true
			}
		}
	}
	series := func(mode, metric string) []chartSeries {
		var out []chartSeries
		for _, target := range []string{targetLuahost, targetBaseline} {
			cs := chartSeries{name: target, color: targetColors[target]}
			for k, m := range vals {
				if k.target == target && k.mode == mode {
					if v, ok := m[metric]; ok {
						cs.points = append(cs.points, chartPoint{k.n, v, bad[k]})
					}
				}
			}
			slices.SortFunc(cs.points, func(a, b chartPoint) int { return a.n - b.n })
			if len(cs.points) > 0 {
				out = append(out, cs)
			}
		}
		return out
	}
	d.throughput = series("bursts", "deliveries_per_s")
	for k, b := range bad {
		d.anyBad = d.anyBad || (b && (k.mode == "bursts" || k.mode == "rate"))
	}
	d.latMode = "rate"
	d.latency = series("rate", "p99_ms")
	if len(d.latency) == 0 {
		d.latMode = "bursts"
		d.latency = series("bursts", "p99_ms")
	}
	if len(rates) == 1 {
		for r := range rates {
			d.latRate = r
		}
	}
	if len(d.throughput) == 0 && len(d.latency) == 0 {
		return nil, errors.New("no fan-out results in the given files")
	}
	return d, nil
}

const (
	chartW = 1200
	chartH = 600
)

func renderChart(d *chartData) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), &image.Uniform{colBackground}, image.Point{}, draw.Src)
	title := "SSE FAN-OUT: LUAHOST RELAY VS PLAIN GO NET/HTTP"
	drawText(img, (chartW-textWidth(title, 3))/2, 16, title, 3, colText)
	sub := "ONE BROADCASTER, ALL PROCESSES ON ONE MACHINE"
	if d.cpus > 0 {
		sub += fmt.Sprintf(", %d CPUS", d.cpus)
	}
	if len(d.date) >= 10 {
		sub += ", " + d.date[:10]
	}
	drawText(img, (chartW-textWidth(sub, 2))/2, 48, sub, 2, colMuted)

	left := image.Rect(20, 80, chartW/2-10, chartH-60)
	right := image.Rect(chartW/2+10, 80, chartW-20, chartH-60)
	drawPanel(img, left, "DELIVERIES/S (BURSTS OF EVENTS)", "EVENTS/S", d.throughput, 150000, "SPEC 150K")
	latTitle := "P99 PUBLISH TO RECEIVE"
	if d.latMode == "rate" && d.latRate != "" {
		latTitle += " (" + d.latRate + " EVENT/S)"
	} else if d.latMode == "bursts" {
		latTitle += " (BURSTS)"
	}
	specLat := 0.0
	if d.latMode == "rate" {
		specLat = 50
	}
	drawPanel(img, right, latTitle, "MS", d.latency, specLat, "SPEC 50 MS")

	// Legend, centred under the panels.
	items := []string{targetLuahost, targetBaseline + " (plain go)"}
	cols := []color.RGBA{targetColors[targetLuahost], targetColors[targetBaseline]}
	if d.anyBad {
		items = append(items, "hollow: runs had errors")
		cols = append(cols, colMuted)
	}
	total := 0
	for _, it := range items {
		total += 40 + textWidth(it, 2) + 40
	}
	x := (chartW - total) / 2
	y := chartH - 30
	for i, it := range items {
		if i < 2 {
			thickLine(img, x, y+7, x+30, y+7, 3, cols[i])
			marker(img, x+15, y+7, 5, cols[i])
		} else {
			marker(img, x+15, y+7, 5, cols[i])
			marker(img, x+15, y+7, 3, colBackground)
		}
		drawText(img, x+40, y, it, 2, colText)
		x += 40 + textWidth(it, 2) + 40
	}
	return img
}

// drawPanel draws one line chart into r.
func drawPanel(img *image.RGBA, r image.Rectangle, title, ylabel string, series []chartSeries, spec float64, specLabel string) {
	drawText(img, r.Min.X+(r.Dx()-textWidth(title, 2))/2, r.Min.Y, title, 2, colText)
	plot := image.Rect(r.Min.X+90, r.Min.Y+30, r.Max.X-15, r.Max.Y-50)
	if len(series) == 0 {
		msg := "NO DATA"
		drawText(img, plot.Min.X+(plot.Dx()-textWidth(msg, 2))/2, plot.Min.Y+plot.Dy()/2, msg, 2, colMuted)
		return
	}
	maxN, maxV := 0, 0.0
	for _, s := range series {
		for _, p := range s.points {
			maxN = max(maxN, p.n)
			maxV = max(maxV, p.v)
		}
	}
	// Show the SPEC line only when it is within reach of the data.
	if spec > 0 && spec > 3*maxV {
		spec = 0
	}
	maxV = max(maxV, spec)
	xStep := niceStep(float64(maxN) / 4)
	xMax := math.Ceil(float64(maxN)*1.02/xStep) * xStep
	yStep := niceStep(maxV * 1.1 / 5)
	yMax := math.Ceil(maxV*1.1/yStep) * yStep
	if yMax == 0 {
		yMax, yStep = 1, 0.2
	}
	px := func(n float64) int { return plot.Min.X + int(math.Round(n/xMax*float64(plot.Dx()))) }
	py := func(v float64) int { return plot.Max.Y - int(math.Round(v/yMax*float64(plot.Dy()))) }

	for v := 0.0; v <= yMax+yStep/2; v += yStep {
		y := py(v)
		hline(img, plot.Min.X, plot.Max.X, y, colGrid)
		label := shortNum(v)
		drawText(img, plot.Min.X-10-textWidth(label, 2), y-7, label, 2, colText)
	}
	for n := 0.0; n <= xMax+xStep/2; n += xStep {
		x := px(n)
		vline(img, x, plot.Min.Y, plot.Max.Y, colGrid)
		vline(img, x, plot.Max.Y, plot.Max.Y+6, colAxis)
		label := shortNum(n)
		drawText(img, x-textWidth(label, 2)/2, plot.Max.Y+12, label, 2, colText)
	}
	xl := "STREAMS"
	drawText(img, plot.Min.X+(plot.Dx()-textWidth(xl, 2))/2, plot.Max.Y+34, xl, 2, colMuted)
	drawTextUp(img, r.Min.X, plot.Min.Y+(plot.Dy()+textWidth(ylabel, 2))/2, ylabel, 2, colMuted)
	thickLine(img, plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y, 2, colAxis)
	thickLine(img, plot.Min.X, plot.Min.Y, plot.Min.X, plot.Max.Y, 2, colAxis)

	if spec > 0 {
		y := py(spec)
		for x := plot.Min.X; x < plot.Max.X; x += 14 {
			thickLine(img, x, y, min(x+8, plot.Max.X), y, 2, colSpec)
		}
		drawText(img, plot.Max.X-textWidth(specLabel, 2)-4, y-20, specLabel, 2, colSpec)
	}
	for _, s := range series {
		for i := 1; i < len(s.points); i++ {
			a, b := s.points[i-1], s.points[i]
			thickLine(img, px(float64(a.n)), py(a.v), px(float64(b.n)), py(b.v), 3, s.color)
		}
	}
	// Markers and value labels on top of every line; a label goes above its
	// point when the point is the highest at its stream count, else below.
	for si, s := range series {
		for _, p := range s.points {
			x, y := px(float64(p.n)), py(p.v)
			marker(img, x, y, 5, s.color)
			if p.bad {
				marker(img, x, y, 3, colBackground)
			}
			highest := true
			for sj, o := range series {
				for _, q := range o.points {
					if sj != si && q.n == p.n && (q.v > p.v || (q.v == p.v && sj < si)) {
						highest = false
					}
				}
			}
			label := shortNum(p.v)
			w := textWidth(label, 2)
			ly := y - 26
			if !highest {
				ly = y + 12
			}
			lx := min(max(x-w/2, plot.Min.X+2), plot.Max.X-w-2)
			fillRect(img, image.Rect(lx-2, ly-2, lx+w+2, ly+glyphH*2+2), colBackground)
			drawText(img, lx, ly, label, 2, s.color)
		}
	}
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// shortNum formats axis and point labels: 150000 -> 150K, 2500000 -> 2.5M.
func shortNum(v float64) string {
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trim(fmt.Sprintf("%.2f", v/1e6)) + "M"
	case a >= 1e3:
		return trim(fmt.Sprintf("%.1f", v/1e3)) + "K"
	case a >= 10 || a == 0:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return trim(fmt.Sprintf("%.1f", v))
	default:
		return trim(fmt.Sprintf("%.2f", v))
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := x0; x <= x1; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		img.Set(x, y, c)
	}
}

// thickLine draws a line with a square brush of width w (Bresenham).
func thickLine(img *image.RGBA, x0, y0, x1, y1, w int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for steps := 0; steps <= dx-dy+1; steps++ {
		for i := -w / 2; i < w-w/2; i++ {
			for j := -w / 2; j < w-w/2; j++ {
				img.Set(x0+i, y0+j, c)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// marker draws a filled circle.
func marker(img *image.RGBA, cx, cy, r int, c color.Color) {
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				img.Set(cx+x, cy+y, c)
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
