# line: a metric against a swept key, the mean over replications with its 95 % confidence
# interval as error bars, one line per variant (and per value of the other swept keys).
#
# haisim writes the variables above this line:
#   datafile   the .dat file: one block per series (blocks separated by two blank lines),
#              columns x, mean, ci95_half_width
#   outfile    the image; terminal_name / terminal_size (expanded as macros with @) pick
#              its format (pngcairo or svg) and size in pixels
#   chart_title, xlabel, ylabel; logx (1: logarithmic x axis)
#   nseries, series[1..nseries]: the series' names
#   xtics_command: a `set xtics (...)` command naming category values, or ''
# Edit freely and rerun with: gnuplot <this file>
set terminal @terminal_name size @terminal_size noenhanced font 'Sans,11'
set output outfile
set title chart_title
set xlabel xlabel
set ylabel ylabel
set key outside right top
set grid
set border 3
set tics nomirror
if (logx) set logscale x
if (strlen(xtics_command) > 0) eval xtics_command
set offsets graph 0.03, graph 0.03, graph 0.05, 0
plot for [i=1:nseries] datafile index (i-1) using 1:2:3 \
     with yerrorlines linewidth 2 pointtype 7 pointsize 0.8 title series[i]
