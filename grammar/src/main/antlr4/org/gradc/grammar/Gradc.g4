grammar Gradc;


// Placeholder: the full grammar comes with the front end.
program : 'model' IDENT EOF ;

IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;
WS : [ \t\r\n]+ -> skip ;
