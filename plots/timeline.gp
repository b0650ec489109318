# timeline: a Gantt chart of the first requests of a run, one row per request (earliest on
# top), its phases coloured: network up, queue, prefill, decode, network down.
#
# haisim writes the variables above this line:
#   datafile   the .dat file: row, start (s), end (s), phase index, request label
#   outfile    the image; terminal_name / terminal_size (expanded as macros with @) pick
#              its format (pngcairo or svg) and size in pixels
#   chart_title, nrows, nphases, phases[1..nphases]: the phases' names
#   ytics_command: the `set ytics (...)` command naming each row's request
# Edit freely and rerun with: gnuplot <this file>
set terminal @terminal_name size @terminal_size noenhanced font 'Sans,11'
set output outfile
set title chart_title
set xlabel 'simulated time since the start of the run (s)'
set yrange [0.4:nrows+0.6]
eval ytics_command
set ytics nomirror font 'Sans,9'
set xtics nomirror
set border 3
set grid xtics
set key outside right top
set style fill solid 0.85 noborder
colours = '#8172b3 #ccb974 #dd8452 #4c72b0 #64b5cd #c44e52'
plot for [k=1:nphases] datafile using (($2+$3)/2):($4 == k ? $1 : 1/0):(($3-$2)/2):(0.35) \
     with boxxyerror linecolor rgb word(colours, k) title phases[k]
