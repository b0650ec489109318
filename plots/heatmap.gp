# heatmap: a metric over two swept keys for one variant, or a speed-up (the metric of a
# baseline variant divided by the variant's), each cell labelled with its value.
#
# haisim writes the variables above this line:
#   datafile   the .dat file: x index, y index, value (NaN where nothing was measured),
#              one scan line per y index
#   outfile    the image; terminal_name / terminal_size (expanded as macros with @) pick
#              its format (pngcairo or svg) and size in pixels
#   chart_title, xlabel, ylabel, cblabel; nx, ny (values on each axis)
#   xtics_command, ytics_command: `set xtics (...)` commands naming the swept values
# Edit freely and rerun with: gnuplot <this file>
set terminal @terminal_name size @terminal_size noenhanced font 'Sans,11'
set output outfile
set title chart_title
set xlabel xlabel
set ylabel ylabel
set cblabel cblabel
set xrange [-0.5:nx-0.5]
set yrange [-0.5:ny-0.5]
eval xtics_command
eval ytics_command
set tics nomirror out
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21908d', 3 '#5dc963', 4 '#fde725')
set style textbox opaque fillcolor rgb 'white' noborder margins 2,1
plot datafile using 1:2:3 with image notitle, \
     datafile using 1:2:(strcol(3) eq 'NaN' ? '' : sprintf('%.3g', $3)) \
         with labels boxed font 'Sans,9' notitle
