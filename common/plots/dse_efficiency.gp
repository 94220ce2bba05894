# Energy efficiency of each sweep point against FP32 width 1 on the same array (efficiency.dat: wbits,
# abits, width, FP32 energy / point energy), by weight bits, log y.
reset
set terminal pngcairo size 900,600 noenhanced
set grid
set key top right
set logscale y
set output 'efficiency.png'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
plot 'efficiency.dat' using 1:4 with points pt 7 ps 1.2 title 'design points'
