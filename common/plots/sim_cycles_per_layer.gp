# Cycles per layer of one `wrpn sim` run, by cause: compute and the four stall kinds, side by side on a
# log axis so a stall a thousand times smaller than the largest layer's compute is still a visible bar.
# Data: layers.csv (column 1 layer, 4 compute_cycles, 6-9 stalls); its last row, the total, is left out.
reset
set terminal pngcairo size 1100,560 noenhanced
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -30
set key outside right top
set logscale y
set yrange [0.8:*]
set output 'cycles_per_layer.png'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
stats 'layers.csv' every ::1 using 3 nooutput
last = STATS_records - 1
plot 'layers.csv' every ::1::last using 4:xtic(1) title 'compute', \
     '' every ::1::last using 6 title 'stall: DRAM weights', \
     '' every ::1::last using 7 title 'stall: DRAM inputs', \
     '' every ::1::last using 8 title 'stall: DRAM outputs', \
     '' every ::1::last using 9 title 'stall: buffer ports'
