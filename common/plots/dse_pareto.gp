# Every finished design point of a sweep and its Pareto front: energy per inference (log x, column 1 of
# all.dat / front.dat, in pJ, drawn in uJ) against latency (column 2) or test accuracy (column 3).
reset
set terminal pngcairo size 900,600 noenhanced
set grid
set key top right
set logscale x
set output 'pareto.png'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
plot 'all.dat' using ($1*1e-6):@Y_COLUMN@ with points pt 7 ps 0.8 lc rgb '#9090a0' title 'design points', \
     'front.dat' using ($1*1e-6):@Y_COLUMN@ with points pt 7 ps 1.4 lc rgb '#d04020' title 'Pareto front'
