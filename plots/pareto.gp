# pareto: two metrics as a scatter of every point and variant (means over replications), with
# the Pareto frontier: the points that no other point beats on both metrics.
#
# haisim writes the variables above this line:
#   datafile   the .dat file: block 0 = every point: x, y, variant index, label;
#              block 1 = the frontier in order: x, y, label
#   outfile    the image; terminal_name / terminal_size (expanded as macros with @) pick
#              its format (pngcairo or svg) and size in pixels
#   chart_title, xlabel, ylabel (each says which direction is better)
#   nvariants, series[1..nvariants]: the variants' names
# A frontier point too close to the previous labelled one has an empty label (no overlaps).
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
set offsets graph 0.05, graph 0.05, graph 0.08, 0
plot for [i=1:nvariants] datafile index 0 using 1:($3 == i ? $2 : 1/0) \
         with points pointtype 7 pointsize 1.3 title series[i], \
     datafile index 1 using 1:2 with steps linewidth 2 dashtype 2 linecolor rgb '#444444' \
         title 'Pareto frontier', \
     datafile index 1 using 1:2:3 with labels offset 0,1 font 'Sans,8' notitle
